"""`manage.py rotate_field_keys`: every stored token ends up under the newest key, nothing is lost."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from creators.models import SocialAccount
from creators.tests.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db


def raw(account, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM creators_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_tokens_are_re_encrypted_with_the_newest_key_in_batches(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    accounts = [
        SocialAccountFactory(access_token=f"EAAG-{n}", refresh_token=f"rft-{n}" if n % 2 else "") for n in range(5)
    ]
    typed = SocialAccountFactory(self_reported=True)
    before = {account.pk: raw(account, "access_token") for account in accounts}
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("rotate_field_keys", "--batch-size", "2", stdout=out)

    assert "creators.SocialAccount: re-encrypted 7 value(s) on 5 row(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone: everything must still read
    for n, account in enumerate(accounts):
        stored = SocialAccount.objects.get(pk=account.pk)
        assert stored.access_token == f"EAAG-{n}" and stored.refresh_token == (f"rft-{n}" if n % 2 else "")
        assert raw(account, "access_token") != before[account.pk] and "EAAG" not in raw(account, "access_token")
        Fernet(new_key.encode()).decrypt(raw(account, "access_token").encode())
    assert raw(typed, "access_token") == ""


def test_without_rotation_the_old_key_is_still_needed(settings):
    """The check above is not vacuous: dropping the old key before rotating loses the tokens."""
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    account = SocialAccountFactory(access_token="EAAG-x")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ImproperlyConfigured):
        SocialAccount.objects.get(pk=account.pk)
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    assert SocialAccount.objects.get(pk=account.pk).access_token == "EAAG-x"


def test_running_it_twice_is_harmless(settings):
    account = SocialAccountFactory(access_token="EAAG-twice")

    call_command("rotate_field_keys", stdout=StringIO())
    call_command("rotate_field_keys", stdout=StringIO())

    assert SocialAccount.objects.get(pk=account.pk).access_token == "EAAG-twice"
