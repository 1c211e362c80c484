"""Which notifications a user wants, on which channel.

`User.notification_preferences` stores {type: {channel: bool}}; anything not stored falls back to
DEFAULTS, so adding a type here never needs a data migration.
"""

NOTIFICATION_TYPES: dict[str, str] = {
    "messages": "New chat messages",
    "orders": "Order updates",
    "campaigns": "Campaign invitations and applications",
    "content": "Content reviews",
    "payments": "Payments and payouts",
    "reviews": "New reviews",
    "support": "Support tickets",
    "account": "Your account and connected platforms",
    "marketing": "News and tips from Influmojo",
}

NOTIFICATION_CHANNELS: dict[str, str] = {"email": "E-mail", "push": "Push", "in_app": "In the app"}

# Everything on, except promotional e-mail and push, which need an opt-in.
DEFAULTS: dict[str, dict[str, bool]] = {
    kind: {channel: kind != "marketing" or channel == "in_app" for channel in NOTIFICATION_CHANNELS}
    for kind in NOTIFICATION_TYPES
}


def notification_preferences(user) -> dict[str, dict[str, bool]]:
    """The full {type: {channel: bool}} matrix for a user: stored choices over the defaults."""
    stored = user.notification_preferences or {}
    return {
        kind: {
            channel: bool((stored.get(kind) or {}).get(channel, default))
            for channel, default in channels.items()
        }
        for kind, channels in DEFAULTS.items()
    }

