"""accounts.services: the status door, verification, signup completion."""

import pytest

from accounts import services
from accounts.models import AccountEvent, User
from influmojo.errors import InvalidTransition, PermissionDenied
from influmojo.permissions import Actor

from .factories import AgentFactory, CreatorUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return User.objects.create_superuser("root@example.com", "Str0ng-pass-123")


@pytest.mark.parametrize(("old", "new", "role"), sorted((k[0], k[1], sorted(v)[0]) for k, v in User.STATUS_TRANSITIONS.items()))
def test_every_allowed_transition_changes_status_and_is_recorded(old, new, role, admin, agent):
    user = CreatorUserFactory(status=old)
    actor = {"admin": Actor.of(admin), "agent": Actor.of(agent), "system": Actor.system()}[role]

    result = services.user_set_status(user_id=user.pk, to=new, actor=actor)

    assert result.status == new
    assert result.is_active == (new in User.CAN_SIGN_IN)
    event = AccountEvent.objects.get(user=user, action="status")
    assert (event.old_status, event.new_status) == (old, new)


@pytest.mark.parametrize(("old", "new"), [("active", "active"), ("banned", "suspended"), ("active", "pending")])
def test_transitions_not_in_the_table_are_refused(old, new, admin):
    user = CreatorUserFactory(status=old)

    with pytest.raises(InvalidTransition):
        services.user_set_status(user_id=user.pk, to=new, actor=Actor.of(admin))

    user.refresh_from_db()
    assert user.status == old and not AccountEvent.objects.filter(user=user, action="status").exists()


def test_an_agent_cannot_ban(agent):
    user = CreatorUserFactory()

    with pytest.raises(InvalidTransition):
        services.user_set_status(user_id=user.pk, to="banned", actor=Actor.of(agent))


def test_a_creator_cannot_suspend_anyone(creator, brand):
    with pytest.raises(InvalidTransition):
        services.user_set_status(user_id=brand.pk, to="suspended", actor=Actor.of(creator))


def test_an_agent_cannot_change_another_staff_account(agent):
    other = AgentFactory()

    with pytest.raises(PermissionDenied):
        services.user_set_status(user_id=other.pk, to="suspended", actor=Actor.of(agent))


def test_verify_gives_the_badge_once(agent, brand):
    services.user_verify(user_id=brand.pk, actor=Actor.of(agent))

    brand.brand_profile.refresh_from_db()
    assert brand.brand_profile.verified
    with pytest.raises(InvalidTransition):
        services.user_verify(user_id=brand.pk, actor=Actor.of(agent))


def test_verify_refuses_staff_and_non_agents(agent, creator, brand):
    with pytest.raises(InvalidTransition):
        services.user_verify(user_id=AgentFactory().pk, actor=Actor.of(agent))
    with pytest.raises(InvalidTransition):
        services.user_verify(user_id=brand.pk, actor=Actor.of(creator))


def test_email_verified_activates_a_pending_account_once():
    user = CreatorUserFactory(status="pending", email_verified=False)

    services.user_email_verified(user_id=user.pk)
    services.user_email_verified(user_id=user.pk)

    user.refresh_from_db()
    assert user.status == "active" and user.email_verified
    assert AccountEvent.objects.filter(user=user, action="status").count() == 1


def test_creator_slugs_are_unique():
    first = CreatorUserFactory(name="Sarah Johnson")
    second = CreatorUserFactory(name="Sarah Johnson")

    assert first.creator_profile.slug == "sarah-johnson"
    assert second.creator_profile.slug == "sarah-johnson-2"


def test_a_new_creator_never_gets_an_address_that_still_redirects():
    from creators.models import SlugRedirect

    first = CreatorUserFactory(name="Sarah Johnson")
    SlugRedirect.objects.create(profile=first.creator_profile, slug="sarah-johnson-2")

    second = CreatorUserFactory(name="Sarah Johnson")

    assert second.creator_profile.slug == "sarah-johnson-3"
