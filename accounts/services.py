"""Every write to accounts: users, their status, profiles, onboarding, settings."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from brands.services.cards import card_refresh, card_refresh_later
from creators.services import social as social_services
from influmojo.errors import ApplicationError, InvalidTransition, PermissionDenied, NotFound
from influmojo.images import process_image_upload
from influmojo.permissions import Actor

from . import onboarding
from . import preferences as prefs
from .models import AccountEvent, BrandProfile, CreatorProfile, User

SIGNUP_ROLES = {User.UserType.BRAND, User.UserType.CREATOR}
STAFF_USER_TYPES = {User.UserType.AGENT, User.UserType.ADMIN}


# --- Signup and login ------------------------------------------------------------------------------
def _unique_creator_slug(base: str) -> str:
    from creators.selectors.profiles import slug_in_use

    root = slugify(base)[:60] or "creator"
    slug, n = root, 1
    while slug_in_use(slug):
        n += 1
        slug = f"{root}-{n}"
    return slug


def profile_ensure(*, user: User) -> CreatorProfile | BrandProfile | None:
    """Creates the role's profile if it is missing; returns it."""
    if user.user_type == User.UserType.CREATOR:
        profile, _ = CreatorProfile.objects.get_or_create(
            user=user,
            defaults={"slug": _unique_creator_slug(user.display_name), "display_name": user.name},
        )
        return profile
    if user.user_type == User.UserType.BRAND:
        profile, _ = BrandProfile.objects.get_or_create(user=user)
        return profile
    return None


@transaction.atomic
def user_complete_signup(*, user: User, data: dict) -> User:
    """Applies the signup form's role and name to a new (unsaved) user, saves it, creates its profile."""
    user_type = data.get("user_type")
    if user_type not in SIGNUP_ROLES:
        raise ApplicationError("Choose brand or creator.", code="invalid_user_type", details={"user_type": ["invalid"]})
    user.user_type = user_type
    user.email = user.email.lower()
    user.name = (data.get("name") or user.name or "").strip()
    if user.name and not (user.first_name or user.last_name):
        user.first_name, _, user.last_name = user.name.partition(" ")
    user.onboarding_step = onboarding.FLOWS[user_type][0]
    user.save()
    profile_ensure(user=user)
    AccountEvent.objects.create(user=user, action="signup", new_status=user.status, note=user.auth_provider)
    card_refresh_later(user.pk)
    return user


def user_logged_in(*, user_id: int) -> None:
    now = timezone.now()
    User.objects.filter(pk=user_id).update(last_login_at=now)


# --- Presence (chat.services.presence decides it from the user's open sockets) -------------------------------
def user_presence_lock(*, user_id: int) -> None:
    """Locks the user's row until the transaction ends, so sockets opening and closing at once (several tabs,
    several processes) settle `is_online` one after the other, each after counting the sockets still open."""
    list(User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def user_presence_set(*, user_id: int, online: bool, seen_at=None) -> bool:
    """Marks the user online or offline, `last_online_at` = when that was true last (now by default); True if
    is_online changed. Staying online writes nothing (heartbeats live on chat's connections, not on the user)."""
    seen_at = seen_at or timezone.now()
    return bool(User.objects.filter(pk=user_id, is_online=not online).update(is_online=online, last_online_at=seen_at))


@transaction.atomic
def user_email_verified(*, user_id: int) -> User:
    """A confirmed primary e-mail marks the address verified and activates a pending account."""
    user = User.objects.select_for_update().get(pk=user_id)
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
    if user.status == User.Status.PENDING:
        user = user_set_status(user_id=user.pk, to=User.Status.ACTIVE, actor=Actor.system(), note="e-mail verified")
    return user


def user_set_phone(*, user: User, phone: str, verified: bool) -> None:
    user.phone = phone
    user.phone_verified = verified
    if user.pk is not None:  # at signup allauth sets the phone before the user's first save
        user.save(update_fields=["phone", "phone_verified", "updated_at"])


# --- Status: the one door ---------------------------------------------------------------------------
@transaction.atomic
def user_set_status(*, user_id: int, to: str, actor: Actor, note: str = "") -> User:
    user = User.objects.select_for_update().get(pk=user_id)
    if user.user_type in STAFF_USER_TYPES and actor.role not in {"admin", "system"}:
        raise PermissionDenied("staff accounts are changed by admins only")
    allowed = User.STATUS_TRANSITIONS.get((user.status, to))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot move account from {user.status} to {to}")
    AccountEvent.objects.create(
        user=user, action="status", old_status=user.status, new_status=to, actor=actor.user, note=note
    )
    user.status = to
    user.save(update_fields=["status", "updated_at"])
    user.refresh_from_db(fields=["is_active"])
    card_refresh_later(user.pk)
    return user


def creator_stats_set(*, profile: CreatorProfile, rating, total_collaborations: int) -> None:
    """Stores numbers derived from reviews (creators.services.reviews computes them, under the profile's lock)."""
    profile.rating = rating
    profile.total_collaborations = total_collaborations
    profile.save(update_fields=["rating", "total_collaborations", "updated_at"])


@transaction.atomic
def user_verify(*, user_id: int, actor: Actor, note: str = "") -> User:
    """Gives a creator or brand the verified badge (a human checked who they are)."""
    if actor.role not in {"agent", "admin"}:
        raise InvalidTransition("only agents can verify accounts")
    user = User.objects.select_for_update().get(pk=user_id)
    profile = profile_ensure(user=user)
    if profile is None:
        raise InvalidTransition("only creators and brands get the verified badge")
    if profile.verified:
        raise InvalidTransition("already verified")
    profile.verified = True
    profile.save(update_fields=["verified", "updated_at"])
    AccountEvent.objects.create(user=user, action="verify", actor=actor.user, note=note)
    card_refresh_later(user.pk)
    return user


# --- Accounts made by staff or the system (admin console, seed_demo) --------------------------------


@transaction.atomic
def user_create(*, user: User, actor: Actor, note: str = "") -> User:
    """Saves a new account that did not sign up itself, with its profile and a "create" event.

    `user` is unsaved and carries e-mail, name, role and password (the admin add form sets them).
    The role decides the staff flags; only an admin (or the system) makes agents and admins.
    """
    if actor.role not in {"agent", "admin", "system"}:
        raise PermissionDenied("Only agents and admins can create accounts.")
    if user.user_type in STAFF_USER_TYPES and actor.role not in {"admin", "system"}:
        raise PermissionDenied("Only admins can create agent and admin accounts.")
    user.email = User.objects.normalize_email(user.email).lower()
    user.is_staff = user.user_type in STAFF_USER_TYPES
    user.is_superuser = user.user_type == User.UserType.ADMIN
    user.save()
    profile_ensure(user=user)
    AccountEvent.objects.create(user=user, action="create", new_status=user.status, actor=actor.user, note=note)
    card_refresh_later(user.pk)
    return user


# --- Onboarding -------------------------------------------------------------------------------------
# (low, high) field pairs a profile keeps ordered; the database has a check constraint for each.
ORDERED_RANGES = (("min_rate", "max_rate"), ("budget_min", "budget_max"))


def _user_for_onboarding(*, user: User, step: str) -> User:
    """The user, locked, once we know `step` belongs to their flow."""
    user = User.objects.select_for_update().get(pk=user.pk)
    steps = onboarding.steps_for(user)
    if not steps:
        raise ApplicationError("This account type has no onboarding.", code="no_onboarding")
    if step not in steps:
        raise NotFound(f"There is no onboarding step '{step}' for {user.user_type} accounts.")
    return user


def _locked_profile(*, user: User) -> CreatorProfile | BrandProfile:
    profile = profile_ensure(user=user)
    return type(profile).objects.select_for_update().get(pk=profile.pk)


def _profile_write(*, profile: CreatorProfile | BrandProfile, data: dict, fields: list[str]) -> None:
    changed = [name for name in dict.fromkeys(fields) if name in data]
    for name in changed:
        setattr(profile, name, data[name])
    # Serializers check ranges against the stored row; this re-checks the locked one (two concurrent PATCHes).
    for low, high in ORDERED_RANGES:
        low_value, high_value = getattr(profile, low, None), getattr(profile, high, None)
        if low_value is not None and high_value is not None and low_value > high_value:
            raise ApplicationError(
                f"{high} must be at least {low}.", code="invalid_range", details={high: [f"Must be at least {low}."]}
            )
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])


def _onboarding_mark(*, user: User, step: str, status: str) -> User:
    user.onboarding_state = {**(user.onboarding_state or {}), step: status}
    user.onboarding_step = onboarding.first_open_step(user)
    user.onboarding_completed = user.onboarding_completed or not user.onboarding_step
    user.save(update_fields=["onboarding_state", "onboarding_step", "onboarding_completed", "updated_at"])
    return user


def _social_handles_write(*, user: User, data: dict) -> None:
    """The "social" step's handles live as the creator's self-reported social accounts (one truth)."""
    if "social_handles" in data:
        social_services.social_handles_replace(creator=user, handles=data["social_handles"])


@transaction.atomic
def onboarding_save_step(*, user: User, step: str, data: dict) -> User:
    """Writes a step's (validated) profile fields, marks it completed and moves to the next open step."""
    user = _user_for_onboarding(user=user, step=step)
    _profile_write(profile=_locked_profile(user=user), data=data, fields=onboarding.STEP_FIELDS[step])
    if step == "social":
        _social_handles_write(user=user, data=data)
    card_refresh_later(user.pk)
    return _onboarding_mark(user=user, step=step, status="completed")


@transaction.atomic
def onboarding_skip_step(*, user: User, step: str) -> User:
    """Marks a step skipped and moves on; a step already completed keeps its answers and its status."""
    user = _user_for_onboarding(user=user, step=step)
    if (user.onboarding_state or {}).get(step) == "completed":
        return user
    return _onboarding_mark(user=user, step=step, status="skipped")


# --- Profile and settings -----------------------------------------------------------------------------
USER_EDITABLE_FIELDS = ("name", "first_name", "last_name", "timezone", "language")


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    """Writes the user's own account fields and, under "profile", their role profile's fields."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = [name for name in USER_EDITABLE_FIELDS if name in data]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    steps = onboarding.steps_for(user)
    if data.get("profile") and steps:
        fields = [name for step in steps for name in onboarding.STEP_FIELDS[step]]
        _profile_write(profile=_locked_profile(user=user), data=data["profile"], fields=fields)
        if "social" in steps:
            _social_handles_write(user=user, data=data["profile"])
    card_refresh_later(user.pk)
    return user


@transaction.atomic
def settings_update(*, user: User, data: dict) -> User:
    """Profile visibility and notification choices; a notification PATCH changes only the pairs it names."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changed = []
    if "profile_public" in data:
        user.profile_public = data["profile_public"]
        changed.append("profile_public")
    if "notification_preferences" in data:
        matrix = prefs.notification_preferences(user)
        for kind, channels in data["notification_preferences"].items():
            matrix[kind].update(channels)
        user.notification_preferences = matrix
        changed.append("notification_preferences")
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
    if "profile_public" in changed:
        card_refresh_later(user.pk)
    return user


# --- Avatar -------------------------------------------------------------------------------------------
def user_set_avatar(*, user: User, file) -> User:
    """Validates and re-encodes the upload, then swaps it in (decoding happens before any row is locked)."""
    content = process_image_upload(
        file, max_bytes=settings.AVATAR_MAX_BYTES, max_pixels=settings.AVATAR_MAX_PIXELS, size=settings.AVATAR_SIZE
    )
    return _avatar_replace(user=user, content=content)


def user_remove_avatar(*, user: User) -> User:
    return _avatar_replace(user=user, content=None)


@transaction.atomic
def _avatar_replace(*, user: User, content) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    old_name, storage = user.avatar.name, user.avatar.storage
    if content is None:
        user.avatar = ""
    else:
        user.avatar.save(content.name, content, save=False)
    user.save(update_fields=["avatar", "updated_at"])
    card_refresh(creator_id=user.pk)  # in this transaction: the only on-commit job here is the old file's removal
    if old_name:
        # Only once the new state is committed; a storage hiccup is logged, not raised at the user.
        transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    return user
