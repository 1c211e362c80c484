"""The log push sender (development, tests): the push is logged, the delivery marked sent as logged."""

import pytest

from accounts.tests.factories import CreatorUserFactory
from chat import push
from chat.models import Notification
from chat.services import notifications as services
from chat.services.devices import device_register

pytestmark = pytest.mark.django_db


def test_without_fcm_settings_the_sender_is_the_log(settings):
    assert settings.PUSH_BACKEND == "log"  # tests never reach a real Firebase project
    assert isinstance(push.get_push_sender(), push.LogPushSender)


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.PUSH_BACKEND = "carrier-pigeon"

    with pytest.raises(push.PushConfigurationError):
        push.get_push_sender()


def test_the_log_sender_logs_each_device_and_marks_the_delivery(django_capture_on_commit_callbacks, caplog):
    user = CreatorUserFactory()
    device_register(user=user, token="token-of-the-phone-00000001", platform="android")
    device_register(user=user, token="token-of-the-tablet-0000002", platform="ios")
    caplog.set_level("INFO", logger="chat.push")

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user_id=user.pk, type="reviews", event="review.received", title="Acme left you 5 stars",
                        body="Great work")

    logged = [record.getMessage() for record in caplog.records if record.name == "chat.push"]
    assert len(logged) == 2 and all("Acme left you 5 stars — Great work" in line for line in logged)
    assert "…00000001" in logged[0] and "token-of-the-phone" not in logged[0]  # tokens stay out of logs
    delivery = Notification.objects.get(user=user).deliveries.get(channel="push")
    assert (delivery.status, delivery.detail) == ("sent", "log: logged (not sent) for 2")
    assert delivery.sent_at is not None
