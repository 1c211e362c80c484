"""Shortlists: a brand's named lists of creators, with a note per creator per list.

Every brand has one default list, "Saved", created on first use: a save without a list goes there. It
cannot be renamed or deleted (409 invalid_transition), and no other list may take its name. Only listed
creators can be saved (their card is listed or, before a card exists, an active creator with a public
profile); anything else is 404, as if the creator did not exist. A second save of the same creator
into the same list answers the existing item. Another brand's list is 404.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from influmojo.errors import ApplicationError, InvalidTransition, NotFound, PermissionDenied

from ..models import Shortlist, ShortlistItem

DEFAULT_NAME = "Saved"
NAME_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 2000
MAX_LISTS_PER_BRAND = 100
MAX_CREATORS_PER_LIST = 1000  # keeps a list readable and its CSV export bounded

LIST_NOT_FOUND = "No such shortlist."
CREATOR_NOT_FOUND = "No such creator."
ITEM_NOT_FOUND = "This creator is not in the list."


def _require_brand(brand) -> None:
    if brand is None or not brand.is_authenticated or not brand.is_brand:
        raise PermissionDenied("Shortlists are for brand accounts.")


def clean_name(name: str) -> str:
    """Whitespace collapsed; 1–100 characters; not the default list's name."""
    name = " ".join(str(name or "").split())
    if not name:
        message = "Give the list a name."
        raise ApplicationError(message, code="invalid_name", details={"name": [message]})
    if len(name) > NAME_MAX_LENGTH:
        message = f"Use at most {NAME_MAX_LENGTH} characters."
        raise ApplicationError(message, code="invalid_name", details={"name": [message]})
    if name.casefold() == DEFAULT_NAME.casefold():
        message = f"“{DEFAULT_NAME}” is the name of your default list; choose another."
        raise ApplicationError(message, code="name_taken", details={"name": [message]})
    return name


def clean_note(note: str) -> str:
    note = str(note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        message = f"Use at most {NOTE_MAX_LENGTH} characters."
        raise ApplicationError(message, code="invalid_note", details={"note": [message]})
    return note


def _name_taken(name: str) -> ApplicationError:
    message = f"You already have a list called “{name}”."
    return ApplicationError(message, code="name_taken", details={"name": [message]})


def _check_name_free(*, brand, name: str, exclude_id: int | None = None) -> None:
    # Case-insensitive, so "Spring" and "spring" are not two lists; the DB constraint backs the exact case.
    others = Shortlist.objects.filter(brand=brand, name__iexact=name)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if others.exists():
        raise _name_taken(name)


def _locked_list(*, brand, shortlist_id: int) -> Shortlist:
    try:
        return Shortlist.objects.select_for_update().get(pk=shortlist_id, brand=brand)
    except Shortlist.DoesNotExist as error:
        raise NotFound(LIST_NOT_FOUND) from error


def shortlist_default_get_or_create(*, brand) -> Shortlist:
    """The brand's "Saved" list, created on first use (a concurrent first use finds the winner's row)."""
    _require_brand(brand)
    existing = Shortlist.objects.filter(brand=brand, is_default=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Shortlist.objects.create(brand=brand, name=DEFAULT_NAME, is_default=True)
    except IntegrityError:
        return Shortlist.objects.get(brand=brand, is_default=True)


@transaction.atomic
def shortlist_create(*, brand, name: str) -> Shortlist:
    _require_brand(brand)
    name = clean_name(name)
    # The brand row serialises this brand's creates, so the limit and the name check hold under races.
    User.objects.select_for_update().filter(pk=brand.pk).first()
    if Shortlist.objects.filter(brand=brand).count() >= MAX_LISTS_PER_BRAND:
        raise ApplicationError(
            f"You can keep at most {MAX_LISTS_PER_BRAND} lists; delete one first.", code="too_many_lists"
        )
    _check_name_free(brand=brand, name=name)
    try:
        with transaction.atomic():
            return Shortlist.objects.create(brand=brand, name=name)
    except IntegrityError as error:
        raise _name_taken(name) from error


@transaction.atomic
def shortlist_rename(*, brand, shortlist_id: int, name: str) -> Shortlist:
    _require_brand(brand)
    shortlist = _locked_list(brand=brand, shortlist_id=shortlist_id)
    if shortlist.is_default:
        raise InvalidTransition(f"“{DEFAULT_NAME}” is your default list and keeps its name.")
    name = clean_name(name)
    if name == shortlist.name:
        return shortlist
    _check_name_free(brand=brand, name=name, exclude_id=shortlist.pk)
    shortlist.name = name
    try:
        with transaction.atomic():
            shortlist.save(update_fields=["name", "updated_at"])
    except IntegrityError as error:
        raise _name_taken(name) from error
    return shortlist


@transaction.atomic
def shortlist_delete(*, brand, shortlist_id: int) -> None:
    """Deletes a named list and its items; the default list cannot be deleted (409 invalid_transition)."""
    _require_brand(brand)
    shortlist = _locked_list(brand=brand, shortlist_id=shortlist_id)
    if shortlist.is_default:
        raise InvalidTransition(f"“{DEFAULT_NAME}” is your default list and cannot be deleted.")
    shortlist.delete()


def _listed_creator_exists(creator_id: int) -> bool:
    """Listed: the card says so or, while the creator has no card yet, active with a public profile."""
    has_no_card = Q(card__isnull=True, status=User.Status.ACTIVE, profile_public=True)
    return (
        User.objects.filter(pk=creator_id, user_type=User.UserType.CREATOR)
        .filter(Q(card__listed=True) | has_no_card)
        .exists()
    )


@transaction.atomic
def creator_save(*, brand, creator_id: int, shortlist_id: int | None = None) -> tuple[ShortlistItem, bool]:
    """Puts a listed creator into a list (the default one without `shortlist_id`).

    Returns (item, created): saving a creator who is already in the list answers the existing item.
    """
    _require_brand(brand)
    if shortlist_id is None:
        shortlist_id = shortlist_default_get_or_create(brand=brand).pk
    shortlist = _locked_list(brand=brand, shortlist_id=shortlist_id)
    if not _listed_creator_exists(creator_id):
        raise NotFound(CREATOR_NOT_FOUND)
    existing = ShortlistItem.objects.filter(shortlist=shortlist, creator_id=creator_id).first()
    if existing is not None:
        return existing, False
    if ShortlistItem.objects.filter(shortlist=shortlist).count() >= MAX_CREATORS_PER_LIST:
        raise ApplicationError(
            f"A list holds at most {MAX_CREATORS_PER_LIST} creators; start another list.", code="list_full"
        )
    # The list row is locked, so no concurrent save of this creator into this list gets past `existing`.
    item = ShortlistItem.objects.create(shortlist=shortlist, creator_id=creator_id)
    Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=item.added_at)
    return item, True


@transaction.atomic
def creator_unsave(*, brand, creator_id: int, shortlist_id: int | None = None) -> int:
    """Removes a creator from one list, or from every list of the brand without `shortlist_id`.

    Idempotent: returns how many items went (0 when the creator was not saved). A creator who is no
    longer listed can still be removed.
    """
    _require_brand(brand)
    items = ShortlistItem.objects.filter(shortlist__brand=brand, creator_id=creator_id)
    if shortlist_id is not None:
        shortlist = _locked_list(brand=brand, shortlist_id=shortlist_id)
        items = items.filter(shortlist=shortlist)
    removed, _ = items.delete()
    return removed


@transaction.atomic
def shortlist_item_note_set(*, brand, shortlist_id: int, creator_id: int, note: str) -> ShortlistItem:
    """The brand's note on a creator in one list (blank clears it)."""
    _require_brand(brand)
    note = clean_note(note)
    shortlist = _locked_list(brand=brand, shortlist_id=shortlist_id)
    try:
        item = ShortlistItem.objects.select_for_update().get(shortlist=shortlist, creator_id=creator_id)
    except ShortlistItem.DoesNotExist as error:
        raise NotFound(ITEM_NOT_FOUND) from error
    item.note = note
    item.save(update_fields=["note"])
    return item
