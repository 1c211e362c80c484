"""The push-token registry: stored once by its sha256, moved to whoever registers it, forgotten at sign-out."""

import hashlib

import pytest

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from chat.models import Device
from chat.services import devices as services
from influmojo.errors import ApplicationError, NotFound

pytestmark = pytest.mark.django_db
TOKEN = "fcm:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx-example-token"


def test_a_token_is_stored_with_its_sha256():
    user = CreatorUserFactory()

    device = services.device_register(user=user, token=f"  {TOKEN} ", platform="android")

    assert (device.user, device.token, device.platform, device.active) == (user, TOKEN, "android", True)
    assert device.token_hash == hashlib.sha256(TOKEN.encode()).hexdigest() and device.last_seen_at


def test_registering_again_updates_the_same_row_and_reactivates_it():
    user = CreatorUserFactory()
    first = services.device_register(user=user, token=TOKEN, platform="android")
    services.device_deactivate(device_id=first.pk, reason="UNREGISTERED")

    again = services.device_register(user=user, token=TOKEN, platform="ios")

    assert again.pk == first.pk and again.active and again.platform == "ios" and Device.objects.count() == 1


def test_a_token_registered_by_another_user_moves_to_the_new_one():
    before, after = CreatorUserFactory(), BrandUserFactory()
    services.device_register(user=before, token=TOKEN, platform="android")

    device = services.device_register(user=after, token=TOKEN, platform="android")

    assert device.user == after and not before.devices.exists() and Device.objects.count() == 1


@pytest.mark.parametrize("token,platform", [("", "android"), ("has space", "android"), ("x" * 4097, "ios"),
                                            (TOKEN, "blackberry")])
def test_bad_tokens_and_platforms_are_refused(token, platform):
    with pytest.raises(ApplicationError):
        services.device_register(user=CreatorUserFactory(), token=token, platform=platform)
    assert not Device.objects.exists()


def test_unregistering_forgets_only_your_own_device():
    owner, stranger = CreatorUserFactory(), CreatorUserFactory()
    services.device_register(user=owner, token=TOKEN, platform="android")

    with pytest.raises(NotFound):
        services.device_unregister(user=stranger, token=TOKEN)
    assert Device.objects.count() == 1

    services.device_unregister(user=owner, token=TOKEN)
    assert not Device.objects.exists()


def test_deactivating_twice_says_it_changed_nothing():
    device = services.device_register(user=CreatorUserFactory(), token=TOKEN, platform="web")

    assert services.device_deactivate(device_id=device.pk) is True
    assert services.device_deactivate(device_id=device.pk) is False
    assert not Device.objects.get().active
