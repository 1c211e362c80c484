"""The push-token registry: the mobile app registers its FCM token after sign-in and unregisters it at sign-out.

A token is stored once (its sha256 is unique: tokens are too long to index): registering a token another user
had moves it to the new user (one phone, a new account), and a token the push sender calls unregistered is
deactivated until the app registers it again.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from influmojo.errors import ApplicationError, NotFound

from ..models import Device

logger = logging.getLogger(__name__)
TOKEN_MAX_LENGTH = Device._meta.get_field("token").max_length


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_token(token: str) -> str:
    token = (token or "").strip()
    if not token:
        raise ApplicationError("Send the device's push token.", code="invalid_token",
                               details={"token": ["This field may not be blank."]})
    if len(token) > TOKEN_MAX_LENGTH or any(char.isspace() for char in token):
        raise ApplicationError("That is not a push token.", code="invalid_token",
                               details={"token": [f"At most {TOKEN_MAX_LENGTH} characters, no spaces."]})
    return token


def device_register(*, user, token: str, platform: str) -> Device:
    """The user's device with this token, active; created, or taken over from whoever had it."""
    token = _clean_token(token)
    if platform not in Device.Platform.values:
        raise ApplicationError("Choose ios, android or web.", code="invalid_platform",
                               details={"platform": [f"One of: {', '.join(Device.Platform.values)}."]})
    digest, now = token_hash(token), timezone.now()
    for _ in range(2):  # a second try when another request registered the same token in between
        try:
            with transaction.atomic():
                device = Device.objects.select_for_update().filter(token_hash=digest).first()
                if device is None:
                    return Device.objects.create(user=user, token=token, token_hash=digest, platform=platform,
                                                 active=True, last_seen_at=now)
                device.user, device.platform, device.active, device.last_seen_at = user, platform, True, now
                device.save(update_fields=["user", "platform", "active", "last_seen_at", "updated_at"])
                return device
        except IntegrityError:
            continue
    raise ApplicationError("The device could not be registered; try again.", code="device_conflict", status=409)


@transaction.atomic
def device_unregister(*, user, token: str) -> None:
    """Forgets the user's device with this token (sign-out); someone else's token is not found."""
    deleted, _ = Device.objects.filter(user=user, token_hash=token_hash(_clean_token(token))).delete()
    if not deleted:
        raise NotFound("No such device.")


def device_deactivate(*, device_id: int, reason: str = "") -> bool:
    """The push service says the token is dead: no more pushes to it until the app registers it again."""
    changed = Device.objects.filter(pk=device_id, active=True).update(active=False, updated_at=timezone.now())
    if changed:
        logger.info("device %s deactivated: %s", device_id, reason or "its token is no longer valid")
    return bool(changed)
