"""creator_change_slug: format, uniqueness across current and old slugs, old slugs kept as redirects."""

import pytest

from accounts.models import CreatorProfile
from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import SlugRedirect
from creators.services.profiles import creator_change_slug
from influmojo.errors import ApplicationError, Conflict

pytestmark = pytest.mark.django_db


def slug_of(creator) -> str:
    return CreatorProfile.objects.get(user=creator).slug


def redirects_of(creator) -> set[str]:
    return set(SlugRedirect.objects.filter(profile__user=creator).values_list("slug", flat=True))


def test_new_slug_replaces_the_current_one_and_the_old_one_redirects(creator):
    old = slug_of(creator)

    profile = creator_change_slug(creator=creator, new_slug="fresh-start")

    assert profile.slug == "fresh-start" == slug_of(creator)
    assert redirects_of(creator) == {old}


def test_slug_is_trimmed_and_lowercased(creator):
    creator_change_slug(creator=creator, new_slug="  Sarah-J2  ")

    assert slug_of(creator) == "sarah-j2"


def test_same_slug_changes_nothing(creator):
    current = slug_of(creator)

    creator_change_slug(creator=creator, new_slug=current.upper())

    assert slug_of(creator) == current and redirects_of(creator) == set()


@pytest.mark.parametrize(
    "bad",
    ["", "ab", "-abc", "abc-", "a--b", "has space", "under_score", "ümlaut", "a/b", "x" * 61, "dot.ted"],
)
def test_malformed_slugs_are_refused(creator, bad):
    before = slug_of(creator)

    with pytest.raises(ApplicationError) as error:
        creator_change_slug(creator=creator, new_slug=bad)

    assert error.value.code == "invalid_slug" and error.value.status == 400
    assert "slug" in error.value.details
    assert slug_of(creator) == before and redirects_of(creator) == set()


@pytest.mark.parametrize("good", ["abc", "a1b", "x" * 60, "sarah-johnson-2"])
def test_well_formed_slugs_are_accepted(creator, good):
    creator_change_slug(creator=creator, new_slug=good)

    assert slug_of(creator) == good


def test_another_creators_current_slug_is_taken(creator):
    other = CreatorUserFactory()

    with pytest.raises(Conflict) as error:
        creator_change_slug(creator=creator, new_slug=slug_of(other))

    assert error.value.code == "slug_taken" and error.value.status == 409
    assert redirects_of(creator) == set()


def test_another_creators_old_slug_stays_theirs(creator):
    other = CreatorUserFactory()
    their_old = slug_of(other)
    creator_change_slug(creator=other, new_slug="other-new")

    with pytest.raises(Conflict):
        creator_change_slug(creator=creator, new_slug=their_old)

    assert SlugRedirect.objects.get(slug=their_old).profile.user == other


def test_a_creator_can_take_back_their_own_old_slug(creator):
    first = slug_of(creator)
    creator_change_slug(creator=creator, new_slug="second-try")

    creator_change_slug(creator=creator, new_slug=first)

    assert slug_of(creator) == first
    assert redirects_of(creator) == {"second-try"}


def test_an_address_another_creator_once_used_keeps_pointing_to_them(creator):
    """Onboarding can hand out a slug that is someone's old address; moving away must not steal it."""
    other = CreatorUserFactory()
    their_old = slug_of(other)
    creator_change_slug(creator=other, new_slug="other-moved")
    CreatorProfile.objects.filter(user=creator).update(slug=their_old)

    creator_change_slug(creator=creator, new_slug="mine-now")

    assert slug_of(creator) == "mine-now"
    assert SlugRedirect.objects.get(slug=their_old).profile.user == other


def test_only_creators_have_a_page_address():
    brand = BrandUserFactory()

    with pytest.raises(ApplicationError) as error:
        creator_change_slug(creator=brand, new_slug="brand-page")

    assert error.value.status == 403 and error.value.code == "not_a_creator"
