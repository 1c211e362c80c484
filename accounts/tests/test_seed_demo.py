import time
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from django.urls import reverse

from accounts.management.commands.seed_demo import BRANDS, CREATORS, DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF
from accounts.models import AccountEvent, BrandProfile, CreatorProfile, User
from accounts.tests.factories import CreatorUserFactory
from creators.models import SocialAccount
from creators.selectors.social import social_handles_of

pytestmark = pytest.mark.django_db

ALL_EMAILS = [spec["email"] for spec in STAFF + BRANDS + CREATORS]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        model.__name__: sorted(map(repr, model.objects.order_by("pk").values()))
        for model in (User, CreatorProfile, BrandProfile, AccountEvent, EmailAddress, Authenticator, SocialAccount)
    }


def test_seed_creates_active_verified_accounts_and_prints_the_logins():
    output = seed()

    users = User.objects.filter(email__in=ALL_EMAILS)
    assert users.count() == len(ALL_EMAILS) == 14
    for user in users:
        assert (user.status, user.is_active, user.email_verified) == (User.Status.ACTIVE, True, True), user.email
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified and EmailAddress.objects.get(user=user).primary
        assert user.email in output
    assert DEMO_PASSWORD in output
    assert DEMO_TOTP_SECRET in output
    assert "http://127.0.0.1:8000" in output


def test_staff_get_the_documented_totp_secret():
    seed()

    admin = User.objects.get(email="admin@influmojo.local")
    agent = User.objects.get(email="agent@influmojo.local")
    assert (admin.user_type, admin.is_staff, admin.is_superuser) == (User.UserType.ADMIN, True, True)
    assert (agent.user_type, agent.is_staff, agent.is_superuser) == (User.UserType.AGENT, True, False)
    for user in (admin, agent):
        authenticator = Authenticator.objects.get(user=user)
        assert authenticator.type == Authenticator.Type.TOTP
        assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET


def test_creators_have_complete_profiles_and_finished_onboarding():
    seed()

    profiles = CreatorProfile.objects.select_related("user").filter(user__email__in=ALL_EMAILS)
    assert sorted(profile.display_name for profile in profiles) == sorted(
        [
            "Sarah Johnson",
            "Tech Mike",
            "Beauty by Emma",
            "Chef Carlos",
            "Travel with Lisa",
            "Style Maven",
            "Fitness with Jay",
            "Gamer Zed",
        ]
    )
    for profile in profiles:
        for field in ("slug", "bio", "country", "city", "content_categories", "niches", "languages", "content_types"):
            assert getattr(profile, field), (profile.slug, field)
        assert profile.currency == "USD"
        assert 0 < profile.min_rate < profile.max_rate
        handles = social_handles_of(creator_id=profile.user_id)
        assert handles and all(handle["followers"] > 1000 for handle in handles)
        assert {account.source for account in profile.user.social_accounts.all()} == {"self_reported"}
        assert profile.user.onboarding_completed and profile.user.onboarding_step == ""
        assert set(profile.user.onboarding_state.values()) == {"completed"}
    tech_mike = profiles.get(slug="tech-mike")
    assert "youtube" in {handle["platform"] for handle in social_handles_of(creator_id=tech_mike.user_id)}
    assert tech_mike.verified


def test_brands_have_complete_profiles():
    seed()

    profiles = BrandProfile.objects.filter(user__email__in=ALL_EMAILS)
    assert {profile.company_name for profile in profiles} == {
        "TechFlow Inc",
        "GlowUp Beauty",
        "FitLife Nutrition",
        "Wanderlust Travel Co",
    }
    for profile in profiles:
        for field in ("industry", "website", "description", "country", "marketing_goals", "target_audience"):
            assert getattr(profile, field), (profile.company_name, field)
        assert 0 < profile.budget_min < profile.budget_max
        assert profile.user.onboarding_completed


def test_accounts_are_made_through_the_services():
    seed()

    sarah = User.objects.get(email="sarah@influmojo.local")
    events = AccountEvent.objects.filter(user=sarah).order_by("pk")
    assert list(events.values_list("action", "old_status", "new_status")) == [
        ("create", "", "pending"),
        ("status", "pending", "active"),
        ("verify", "", ""),
    ]


def test_running_twice_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "0 created, 14 already there" in output


def test_an_existing_account_keeps_its_changes():
    CreatorUserFactory(email="sarah@influmojo.local", status=User.Status.SUSPENDED)

    output = seed()

    sarah = User.objects.get(email="sarah@influmojo.local")
    assert not sarah.check_password(DEMO_PASSWORD)
    assert sarah.status == User.Status.SUSPENDED
    assert "status: suspended" in output
    assert User.objects.filter(email__iexact="sarah@influmojo.local").count() == 1


def test_demo_creator_logs_in_through_the_login_page(client):
    seed()

    response = client.post(reverse("account_login"), {"login": "sarah@influmojo.local", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    dashboard = client.get(response.url)
    assert dashboard.status_code == 200
    assert dashboard.context["user"].email == "sarah@influmojo.local"


def test_demo_admin_opens_the_console_with_the_documented_totp_code(client):
    seed()

    login = client.post(
        reverse("account_login"), {"login": "admin@influmojo.local", "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert login.status_code == 302
    assert login.url == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    mfa = client.post(reverse("mfa_authenticate"), {"code": code})

    assert mfa.status_code == 302
    assert client.get("/admin/").status_code == 200
