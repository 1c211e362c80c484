import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from creators.models import SocialAccount
from creators.tests.factories import SocialAccountFactory
from influmojo import crypto

pytestmark = pytest.mark.django_db


def raw_column(account, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM creators_socialaccount WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


def test_tokens_are_stored_as_ciphertext_and_read_back_plain():
    account = SocialAccountFactory(access_token="EAAG-secret-access", refresh_token="1//0g-secret-refresh")

    stored = raw_column(account, "access_token")

    assert "secret" not in stored and "secret" not in raw_column(account, "refresh_token")
    assert SocialAccount.objects.get(pk=account.pk).access_token == "EAAG-secret-access"


def test_keys_rotate_without_losing_tokens(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    account = SocialAccountFactory(access_token="EAAG-before-rotation")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]

    assert SocialAccount.objects.get(pk=account.pk).access_token == "EAAG-before-rotation"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE creators_socialaccount SET access_token = %s WHERE id = %s",
            [crypto.rotate(raw_column(account, "access_token")), account.pk],
        )
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert SocialAccount.objects.get(pk=account.pk).access_token == "EAAG-before-rotation"


def test_a_missing_key_is_a_configuration_error_not_garbage(settings):
    account = SocialAccountFactory(access_token="EAAG-x")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ImproperlyConfigured):
        SocialAccount.objects.get(pk=account.pk)
