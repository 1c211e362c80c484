"""The console's social account pages: read-only, no token anywhere, "sync now" through the service."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory
from creators.models import SocialActivity
from creators.tests.factories import MetricsSnapshotFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:creators_socialaccount_changelist")
SECRET = "EAAG-console-must-never-show-this"


@pytest.fixture
def agent_client(client):
    agent = AgentFactory()
    Authenticator.objects.create(user=agent, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()})
    client.force_login(agent)
    return client


@pytest.fixture
def account():
    account = SocialAccountFactory(access_token=SECRET, refresh_token=f"{SECRET}-refresh", username="asha.travels")
    MetricsSnapshotFactory(account=account, followers=120_000, date=timezone.localdate())
    MetricsSnapshotFactory(account=account, followers=99_999, date=timezone.localdate() - datetime.timedelta(days=200))
    return account


def test_list_and_detail_show_numbers_but_never_a_token(agent_client, account):
    listing = agent_client.get(
        CHANGELIST, {"platform__exact": "instagram", "state__exact": "connected", "source__exact": "oauth"}
    )
    page = agent_client.get(reverse("admin:creators_socialaccount_change", args=[account.pk]))

    assert listing.status_code == page.status_code == 200
    assert "asha.travels" in listing.content.decode()
    html = page.content.decode()
    assert "125000" in html and "120000" in html  # the account and today's snapshot
    assert "99999" not in html  # the inline shows the last 90 days
    assert SECRET not in listing.content.decode() + html
    assert 'name="followers"' not in html  # read-only: no inputs


def test_sync_now_action_goes_through_the_service(agent_client, account, monkeypatch):
    typed = SocialAccountFactory(self_reported=True, username="typed")
    monkeypatch.setattr("creators.tasks.sync_social_account.delay", lambda account_id: None)

    response = agent_client.post(CHANGELIST, {"action": "sync_now", "_selected_action": [account.pk, typed.pk]})

    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert "Sync queued for 1: @asha.travels." in messages
    assert any(message.startswith("Not synced 1: @typed") for message in messages)
    account.refresh_from_db()
    assert account.sync_status == "queued"
    assert SocialActivity.objects.get(account=account).action == "sync_requested"


def test_activity_log_is_read_only_and_redacted(agent_client, account):
    activity = SocialActivity.objects.create(
        creator=account.creator,
        account=account,
        platform="instagram",
        action="sync",
        status="failed",
        message="Instagram rate limit reached",
        request_payload={"calls": [{"params": {"access_token": "[redacted]"}}]},
    )

    page = agent_client.get(reverse("admin:creators_socialactivity_change", args=[activity.pk]))
    listing = agent_client.get(reverse("admin:creators_socialactivity_changelist"))

    assert page.status_code == listing.status_code == 200
    assert "Instagram rate limit reached" in listing.content.decode()
    assert SECRET not in page.content.decode() + listing.content.decode()
    assert agent_client.post(reverse("admin:creators_socialactivity_delete", args=[activity.pk])).status_code == 403
    assert agent_client.get(reverse("admin:creators_socialaccount_add")).status_code == 403
