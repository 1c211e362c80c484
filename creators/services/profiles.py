"""Writes to a creator's public page: its address (slug)."""

import re

from django.db import IntegrityError, transaction

from accounts.models import CreatorProfile, User
from brands.services.cards import card_refresh_later
from creators.models import SlugRedirect
from influmojo.errors import ApplicationError, Conflict, NotFound

SLUG_MIN, SLUG_MAX = 3, 60
SLUG_RE = re.compile(rf"^[a-z0-9](?:[a-z0-9]|-(?!-)){{{SLUG_MIN - 2},{SLUG_MAX - 2}}}[a-z0-9]$")
SLUG_RULES = (
    f"Use {SLUG_MIN}–{SLUG_MAX} lowercase letters, digits and single dashes, "
    "starting and ending with a letter or digit."
)
SLUG_TAKEN = "That address is taken. Try another one."


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_slug", details={"slug": [message]})


def normalize_slug(value: str) -> str:
    return (value or "").strip().lower()


@transaction.atomic
def creator_change_slug(*, creator: User, new_slug: str) -> CreatorProfile:
    """Moves the creator's public page to /p/<new_slug>/; the old address keeps redirecting to it.

    A slug is free when no page uses it now and it is not an old address of another creator (those keep
    redirecting to their pages). A creator can take back one of their own old slugs.
    """
    if creator.user_type != User.UserType.CREATOR:
        raise ApplicationError("Only creators have a public page.", code="not_a_creator", status=403)
    slug = normalize_slug(new_slug)
    if not SLUG_RE.match(slug):
        raise _invalid(SLUG_RULES)
    profile = CreatorProfile.objects.select_for_update().filter(user=creator).first()
    if profile is None:
        raise NotFound("Set up your creator profile first.")
    if slug == profile.slug:
        return profile
    if CreatorProfile.objects.filter(slug=slug).exclude(pk=profile.pk).exists():
        raise Conflict(SLUG_TAKEN, code="slug_taken", details={"slug": [SLUG_TAKEN]})
    if SlugRedirect.objects.filter(slug=slug).exclude(profile=profile).exists():
        raise Conflict(SLUG_TAKEN, code="slug_taken", details={"slug": [SLUG_TAKEN]})

    old_slug = profile.slug
    try:
        with transaction.atomic():  # a concurrent claim of the same slug hits a unique constraint
            SlugRedirect.objects.filter(profile=profile, slug=slug).delete()
            profile.slug = slug
            profile.save(update_fields=["slug", "updated_at"])
            # Onboarding picks slugs without looking at old ones: an address another creator once used
            # keeps redirecting to them rather than to this page.
            if not SlugRedirect.objects.filter(slug=old_slug).exists():
                SlugRedirect.objects.create(profile=profile, slug=old_slug)
    except IntegrityError as error:
        raise Conflict(SLUG_TAKEN, code="slug_taken", details={"slug": [SLUG_TAKEN]}) from error
    card_refresh_later(creator.pk)
    return profile
