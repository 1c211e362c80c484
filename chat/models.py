"""Chat and notifications: conversations between a brand and a creator, their messages, who is online, and
every notification a user receives (in the app, live, by e-mail and by push).

The database is the source of truth: a message is stored first and pushed after commit, so a client that
reconnects asks for everything after the last id it saw (`?after=`) and loses nothing when a socket or the
channel layer drops.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from influmojo.models import TimeStamped


class Conversation(TimeStamped):
    """One thread between a brand and a creator about one subject (`topic`), so opening it twice finds it."""

    class Kind(models.TextChoices):
        ORDER = "order"  # opened automatically when an order is paid
        CAMPAIGN = "campaign"  # one per campaign participant (the campaigns app)
        DIRECT = "direct"  # a brand starts it from a creator's profile

    kind = models.CharField(max_length=10, choices=Kind.choices)
    topic = models.CharField(max_length=80, unique=True)  # "order:12", "campaign:3:creator:9", "direct:4:9"
    brand = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="conversation")
    title = models.CharField(max_length=200, blank=True)
    last_message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]

    def __str__(self):
        return self.title or self.topic


class Participant(models.Model):
    """A member of a conversation and how far they have read. Agents join a conversation they are working on
    (a dispute or ticket about it) as participants with role agent."""

    class Role(models.TextChoices):
        BRAND = "brand"
        CREATOR = "creator"
        AGENT = "agent"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations")
    role = models.CharField(max_length=10, choices=Role.choices)
    last_read_message_id = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    # When this member was last told of new messages here (notify): the debounce of unread e-mails.
    notified_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="participant_once")]
        indexes = [models.Index(fields=["user", "conversation"])]


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text"
        ATTACHMENT = "attachment"  # files or images, with an optional caption in body
        SYSTEM = "system"  # an order or campaign event ("Order IM-… was paid"); no sender
        OFFER = "offer"  # a custom offer sent in the chat (data: offer id)

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(max_length=5000, blank=True)
    data = models.JSONField(default=dict, blank=True)  # system/offer payload (event, order id, offer id …)
    client_id = models.CharField(max_length=64, blank=True)  # the sender's id for a retried send: stored once
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"])]
        constraints = [models.UniqueConstraint(fields=["conversation", "sender", "client_id"],
                                               condition=~Q(client_id=""), name="message_client_id_once")]


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="chat/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)  # images
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class Connection(models.Model):
    """One open websocket of a user (any tab, any process): the user is online while at least one is live.
    Rows whose heartbeat stopped (a process died) are swept by a beat job."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ws_connections")
    # The conversation this socket watches (a chat socket); empty for a socket that watches none (notifications).
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="connections")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(db_index=True)


# --- Notifications --------------------------------------------------------------------------------------------
class Notification(models.Model):
    """One thing a user is told about; `type` is a key of accounts.preferences.NOTIFICATION_TYPES."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=20)
    event = models.CharField(max_length=60)  # what happened: "order.paid", "message.received", …
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=2000, blank=True)
    url = models.CharField(max_length=500, blank=True)  # where the page/app opens it
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)  # one notification per key and user
    # Listed in the app (the user's in_app choice for the type); a row kept only for its e-mail/push is not.
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                                               name="notification_dedupe_once")]


class Delivery(models.Model):
    """A notification sent on one outside channel (e-mail, push): unique, so a retried task sends it once."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        PUSH = "push"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"
        SKIPPED = "skipped"  # preference off, no device, …

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    detail = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once")]


class Device(TimeStamped):
    """A mobile push token (FCM registration token) of a user's device."""

    class Platform(models.TextChoices):
        IOS = "ios"
        ANDROID = "android"
        WEB = "web"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    token = models.CharField(max_length=4096)
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of token: tokens are too long to index
    platform = models.CharField(max_length=10, choices=Platform.choices)
    active = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
