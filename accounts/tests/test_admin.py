import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.contrib.auth.models import Permission
from django.contrib.messages import ERROR, SUCCESS, get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccountEvent, CreatorProfile, User
from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def with_totp(user: User) -> User:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()})
    return user


@pytest.fixture
def console_admin():
    return with_totp(
        UserFactory(email="boss@influmojo.test", user_type=User.UserType.ADMIN, is_staff=True, is_superuser=True)
    )


@pytest.fixture
def console_agent():
    return with_totp(AgentFactory(email="helper@influmojo.test"))


@pytest.fixture
def admin_client(client, console_admin):
    client.force_login(console_admin)
    return client


@pytest.fixture
def agent_client(client, console_agent):
    client.force_login(console_agent)
    return client


def listed(response) -> set[str]:
    return {user.email for user in response.context["cl"].result_list}


def run_action(client, action: str, *users: User):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [user.pk for user in users]})


def flashed(response) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


# --- Getting in ------------------------------------------------------------------------------------
def test_staff_without_totp_is_sent_to_set_it_up(client):
    client.force_login(AgentFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_admin_sign_in_goes_through_allauth_login(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response.url


def test_creator_cannot_open_the_console(client):
    client.force_login(CreatorUserFactory())

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_console_title(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert b"Influmojo console" in response.content


# --- Finding users ------------------------------------------------------------------------------------
@pytest.fixture
def people():
    sarah = CreatorUserFactory(email="sarah@example.com", name="Sarah Johnson", phone="+15550001111")
    sarah.creator_profile.display_name = "Sarah Styles"
    sarah.creator_profile.save()
    techflow = BrandUserFactory(email="ops@techflow.example", name="Priya Raman")
    techflow.brand_profile.company_name = "TechFlow Inc"
    techflow.brand_profile.save()
    banned = CreatorUserFactory(email="gone@example.com", status=User.Status.BANNED, email_verified=False)
    busy_agent = AgentFactory(email="busy@influmojo.test", agent_status=User.AgentStatus.BUSY)
    return {"sarah": sarah, "techflow": techflow, "banned": banned, "busy_agent": busy_agent}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("sarah@example", "sarah@example.com"),  # e-mail
        ("Priya", "ops@techflow.example"),  # name
        ("5550001111", "sarah@example.com"),  # phone
        ("TechFlow Inc", "ops@techflow.example"),  # brand company name
        ("Styles", "sarah@example.com"),  # creator display name
    ],
)
def test_search(admin_client, people, term, expected):
    response = admin_client.get(CHANGELIST, {"q": term})

    assert response.status_code == 200
    assert listed(response) == {expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user_type__exact": "brand"}, {"ops@techflow.example"}),
        ({"status__exact": "banned"}, {"gone@example.com"}),
        ({"email_verified__exact": "0"}, {"gone@example.com"}),
        ({"agent_status__exact": "busy"}, {"busy@influmojo.test"}),
        ({"is_staff__exact": "1", "user_type__exact": "agent"}, {"busy@influmojo.test"}),
    ],
)
def test_filters(admin_client, people, params, expected):
    response = admin_client.get(CHANGELIST, params)

    assert response.status_code == 200
    assert listed(response) == expected


def test_changelist_shows_filters_and_columns(admin_client, people):
    response = admin_client.get(CHANGELIST)

    html = response.content.decode()
    for heading in ("By user type", "By status", "By email verified", "By agent status", "By staff"):
        assert heading in html
    assert "Priya Raman (TechFlow Inc)" in html
    assert "Sarah Styles" in html


def test_changelist_query_count_does_not_grow_with_rows(admin_client, people):
    def queries_for_changelist() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(queries)

    few = queries_for_changelist()
    for _ in range(25):
        CreatorUserFactory()
        BrandUserFactory()

    assert queries_for_changelist() == few


# --- Actions ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "start", "end", "done"),
    [
        ("activate_users", User.Status.SUSPENDED, User.Status.ACTIVE, "Activated"),
        ("activate_users", User.Status.PENDING, User.Status.ACTIVE, "Activated"),
        ("activate_users", User.Status.BANNED, User.Status.ACTIVE, "Activated"),
        ("suspend_users", User.Status.ACTIVE, User.Status.SUSPENDED, "Suspended"),
        ("ban_users", User.Status.ACTIVE, User.Status.BANNED, "Banned"),
    ],
)
def test_status_action_changes_status_and_records_event(admin_client, console_admin, action, start, end, done):
    creator = CreatorUserFactory(status=start)

    response = run_action(admin_client, action, creator)

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.status == end
    assert creator.is_active == (end == User.Status.ACTIVE)
    event = AccountEvent.objects.get(user=creator, action="status")
    assert (event.old_status, event.new_status, event.actor) == (start, end, console_admin)
    assert flashed(response) == [(SUCCESS, f"{done} 1: {creator.email}.")]


def test_verify_action_gives_the_badge_and_records_event(admin_client, console_admin):
    brand = BrandUserFactory()

    response = run_action(admin_client, "verify_users", brand)

    brand.brand_profile.refresh_from_db()
    assert brand.brand_profile.verified is True
    assert AccountEvent.objects.get(user=brand, action="verify").actor == console_admin
    assert flashed(response) == [(SUCCESS, f"Verified 1: {brand.email}.")]


def test_verify_refuses_accounts_without_a_badge_or_already_verified(admin_client):
    done = CreatorUserFactory(email="done@example.com")
    done.creator_profile.verified = True
    done.creator_profile.save()
    helper = AgentFactory(email="agent2@example.com")

    response = run_action(admin_client, "verify_users", done, helper)

    assert not AccountEvent.objects.filter(action="verify").exists()
    assert flashed(response) == [
        (
            ERROR,
            "Refused 2: agent2@example.com (only creators and brands get the verified badge), "
            "done@example.com (already verified).",
        )
    ]


def test_refused_transition_changes_nothing(admin_client):
    creator = CreatorUserFactory(email="already@example.com", status=User.Status.ACTIVE)

    response = run_action(admin_client, "activate_users", creator)

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.status == User.Status.ACTIVE
    assert not AccountEvent.objects.filter(user=creator, action="status").exists()
    assert flashed(response) == [
        (ERROR, "Refused 1: already@example.com (cannot move account from active to active).")
    ]


def test_agent_cannot_ban(agent_client):
    creator = CreatorUserFactory(email="target@example.com")

    response = run_action(agent_client, "ban_users", creator)

    creator.refresh_from_db()
    assert creator.status == User.Status.ACTIVE
    assert not AccountEvent.objects.filter(user=creator, action="status").exists()
    assert flashed(response) == [(ERROR, "Refused 1: target@example.com (cannot move account from active to banned).")]


def test_agent_can_suspend_and_the_event_names_the_agent(agent_client, console_agent):
    creator = CreatorUserFactory()

    run_action(agent_client, "suspend_users", creator)

    creator.refresh_from_db()
    assert creator.status == User.Status.SUSPENDED
    assert AccountEvent.objects.get(user=creator, action="status").actor == console_agent


def test_agent_cannot_act_on_staff(agent_client, console_admin):
    response = run_action(agent_client, "suspend_users", console_admin)

    console_admin.refresh_from_db()
    assert console_admin.status == User.Status.ACTIVE
    assert flashed(response) == [
        (ERROR, "Refused 1: boss@influmojo.test (staff accounts are changed by admins only).")
    ]


def test_mixed_selection_reports_both_and_keeps_the_good_change(admin_client):
    active = CreatorUserFactory(email="a@example.com")
    banned = CreatorUserFactory(email="b@example.com", status=User.Status.BANNED)

    response = run_action(admin_client, "suspend_users", active, banned)

    active.refresh_from_db()
    banned.refresh_from_db()
    assert (active.status, banned.status) == (User.Status.SUSPENDED, User.Status.BANNED)
    assert flashed(response) == [
        (SUCCESS, "Suspended 1: a@example.com."),
        (ERROR, "Refused 1: b@example.com (cannot move account from banned to suspended)."),
    ]


# --- Change and add forms -----------------------------------------------------------------------------
def test_change_page_shows_profile_and_history_newest_first_with_state_read_only(admin_client, console_admin):
    creator = CreatorUserFactory()
    run_action(admin_client, "suspend_users", creator)
    run_action(admin_client, "activate_users", creator)

    response = admin_client.get(reverse("admin:accounts_user_change", args=[creator.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    for field in ("status", "is_active", "email_verified", "phone_verified", "user_type", "email", "phone"):
        assert field not in form.fields
    formsets = {formset.opts.model: formset for formset in response.context["inline_admin_formsets"]}
    assert set(formsets) == {CreatorProfile, AccountEvent}
    events = [form.instance for form in formsets[AccountEvent].formset.forms]
    assert [(event.old_status, event.new_status) for event in events] == [
        ("suspended", "active"),
        ("active", "suspended"),
    ]
    assert "verified" not in formsets[CreatorProfile].formset.forms[0].fields


def test_posting_a_status_in_the_change_form_does_not_change_it(admin_client):
    agent = AgentFactory(email="desk@example.com")
    url = reverse("admin:accounts_user_change", args=[agent.pk])

    response = admin_client.post(
        url,
        {
            "name": "Desk Agent",
            "timezone": "UTC",
            "language": "en",
            "agent_status": "available",
            "notification_preferences": "{}",
            "status": "banned",
            "email_verified": "on",
            "is_staff": "on",
            "account_events-TOTAL_FORMS": "0",
            "account_events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert (agent.name, agent.agent_status) == ("Desk Agent", User.AgentStatus.AVAILABLE)
    assert (agent.status, agent.email_verified) == (User.Status.ACTIVE, True)


def test_console_access_fields_are_on_staff_pages_only(admin_client):
    creator_page = admin_client.get(reverse("admin:accounts_user_change", args=[CreatorUserFactory().pk]))
    agent_page = admin_client.get(reverse("admin:accounts_user_change", args=[AgentFactory().pk]))

    access_fields = {"is_staff", "is_superuser", "groups", "user_permissions", "agent_status"}
    assert not access_fields & set(creator_page.context["adminform"].form.fields)
    assert access_fields <= set(agent_page.context["adminform"].form.fields)


def test_agent_edits_creators_but_only_views_staff(agent_client, console_admin):
    creator_page = agent_client.get(reverse("admin:accounts_user_change", args=[CreatorUserFactory().pk]))
    staff_page = agent_client.get(reverse("admin:accounts_user_change", args=[console_admin.pk]))
    staff_post = agent_client.post(reverse("admin:accounts_user_change", args=[console_admin.pk]), {"name": "x"})
    password_page = agent_client.get(reverse("admin:auth_user_password_change", args=[console_admin.pk]))

    assert "name" in creator_page.context["adminform"].form.fields
    assert staff_page.status_code == 200
    assert staff_page.context["has_change_permission"] is False
    assert staff_post.status_code == 403
    assert password_page.status_code == 403
    console_admin.refresh_from_db()
    assert console_admin.name != "x"


def test_staff_without_the_console_role_cannot_grant_access(client):
    """Someone given Django's user permissions (not an agent) may edit profiles, never access flags."""
    helper = with_totp(CreatorUserFactory(is_staff=True))
    helper.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(helper)

    response = client.get(reverse("admin:accounts_user_change", args=[AgentFactory().pk]))

    assert response.status_code == 200
    access_fields = {"is_staff", "is_superuser", "groups", "user_permissions"}
    assert not access_fields & set(response.context["adminform"].form.fields)


def test_admin_adds_a_user_with_a_usable_password(admin_client, console_admin):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Creator@Example.com",
            "name": "New Creator",
            "user_type": "creator",
            "password1": "Lime-kettle-93",
            "password2": "Lime-kettle-93",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.creator@example.com")
    assert response.url == reverse("admin:accounts_user_change", args=[user.pk])
    assert user.has_usable_password() and user.check_password("Lime-kettle-93")
    assert (user.status, user.is_staff) == (User.Status.PENDING, False)
    assert user.creator_profile.slug == "new-creator"
    event = AccountEvent.objects.get(user=user)
    assert (event.action, event.actor) == ("create", console_admin)


def test_admin_adds_an_agent_who_is_staff(admin_client):
    admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "desk2@influmojo.test",
            "user_type": "agent",
            "password1": "Lime-kettle-93",
            "password2": "Lime-kettle-93",
        },
    )

    agent = User.objects.get(email="desk2@influmojo.test")
    assert (agent.is_staff, agent.is_superuser) == (True, False)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "HELPER@influmojo.test", "password2": "Lime-kettle-93"}, "email"),  # taken, other case
        ({"email": "x@example.com", "password2": "different-93-Lime"}, "password2"),
        ({"email": "x@example.com", "password1": "123", "password2": "123"}, "password2"),
    ],
)
def test_add_user_rejects_bad_input(admin_client, console_agent, data, field):
    count = User.objects.count()

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"user_type": "creator", "password1": "Lime-kettle-93", **data},
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert User.objects.count() == count


def test_agent_cannot_add_staff(agent_client):
    response = agent_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "sneaky@example.com",
            "user_type": "admin",
            "password1": "Lime-kettle-93",
            "password2": "Lime-kettle-93",
        },
    )

    assert response.status_code == 200
    assert "user_type" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="sneaky@example.com").exists()


# --- The audit trail --------------------------------------------------------------------------------------
def test_account_events_are_read_only(admin_client):
    creator = CreatorUserFactory()
    run_action(admin_client, "suspend_users", creator)
    event = AccountEvent.objects.get(user=creator, action="status")
    change_url = reverse("admin:accounts_accountevent_change", args=[event.pk])

    assert admin_client.get(reverse("admin:accounts_accountevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:accounts_accountevent_add")).status_code == 403
    assert admin_client.post(change_url, {"note": "edited"}).status_code == 403
    assert admin_client.post(reverse("admin:accounts_accountevent_delete", args=[event.pk])).status_code == 403
    event.refresh_from_db()
    assert event.note == "console action"


def test_agent_sees_the_audit_trail(agent_client):
    response = agent_client.get(reverse("admin:accounts_accountevent_changelist"))

    assert response.status_code == 200


def test_long_selections_are_summarised(admin_client):
    creators = [CreatorUserFactory(email=f"c{n:02d}@example.com") for n in range(12)]

    response = run_action(admin_client, "suspend_users", *creators)

    assert User.objects.filter(status=User.Status.SUSPENDED).count() == 12
    [(level, text)] = flashed(response)
    assert level == SUCCESS
    assert text.startswith("Suspended 12: c00@example.com, c01@example.com,")
    assert text.endswith("c09@example.com and 2 more.")
