"""Every write to accounts: users, their status, profiles, onboarding, settings."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from influmojo.errors import ApplicationError, InvalidTransition
from influmojo.permissions import Actor

from . import onboarding
from .models import AccountEvent, BrandProfile, CreatorProfile, User

SIGNUP_ROLES = {User.UserType.BRAND, User.UserType.CREATOR}


# --- Signup and login ------------------------------------------------------------------------------
def _unique_creator_slug(base: str) -> str:
    root = slugify(base)[:60] or "creator"
    slug, n = root, 1
    while CreatorProfile.objects.filter(slug=slug).exists():
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
    return user


def user_logged_in(*, user_id: int) -> None:
    now = timezone.now()
    User.objects.filter(pk=user_id).update(last_login_at=now)


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
    allowed = User.STATUS_TRANSITIONS.get((user.status, to))
    if allowed is None or actor.role not in allowed:
        raise InvalidTransition(f"cannot move account from {user.status} to {to}")
    AccountEvent.objects.create(
        user=user, action="status", old_status=user.status, new_status=to, actor=actor.user, note=note
    )
    user.status = to
    user.save(update_fields=["status", "updated_at"])
    user.refresh_from_db(fields=["is_active"])
    return user


@transaction.atomic
def user_verify(*, user_id: int, actor: Actor, note: str = "") -> User:
    """Gives a creator or brand the verified badge (a human checked who they are)."""
    if actor.role not in {"agent", "admin"}:
        raise InvalidTransition("only agents can verify accounts")
    user = User.objects.select_for_update().get(pk=user_id)
    profile = profile_ensure(user=user)
    if profile is not None and not profile.verified:
        profile.verified = True
        profile.save(update_fields=["verified", "updated_at"])
    AccountEvent.objects.create(user=user, action="verify", actor=actor.user, note=note)
    return user


# --- Accounts made by staff or the system (admin console, seed_demo) --------------------------------
from influmojo.errors import PermissionDenied  # noqa: E402  (kept with the section that uses it)

STAFF_USER_TYPES = {User.UserType.AGENT, User.UserType.ADMIN}


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
    return user
