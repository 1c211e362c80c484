"""Small helpers of the chat and notification pages: presence in words, what a system message links to, initials
for a member without a photo, and the only links a notification may carry (paths on the site, http(s) URLs)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def presence(user) -> str:
    """"Online", "Last seen 5 minutes ago", or "Offline" for someone never seen."""
    if user.is_online:
        return "Online"
    if user.last_online_at is None:
        return "Offline"
    if (timezone.now() - user.last_online_at).total_seconds() < 60:
        return "Last seen just now"
    return f"Last seen {timesince(user.last_online_at, depth=1)} ago"


@register.filter
def initials(name: str) -> str:
    words = str(name or "").replace(".", " ").replace("_", " ").split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.filter
def is_image(attachment) -> bool:
    return attachment.content_type.startswith("image/") and bool(attachment.width and attachment.height)


@register.simple_tag
def event_link(message, is_brand: bool) -> dict | None:
    """A system message's link: its order, or for the brand the cart an accepted offer went into."""
    data = message.data or {}
    if data.get("event") == "offer.accepted" and is_brand:
        return {"url": reverse("cart"), "label": "Go to cart"}
    if data.get("order_id"):
        return {"url": reverse("order_detail", kwargs={"order_id": data["order_id"]}), "label": "View order"}
    return None


@register.filter
def safe_href(url: str) -> str:
    """A notification's url if it is a path on this site or an http(s) URL; anything else (javascript:, //host)
    is no link."""
    url = str(url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    return ""


@register.filter
def when(moment, style: str = "list") -> str:
    """In the current timezone: today as 14:05, this year as 3 Mar (list) or 3 Mar, 14:05 (message), else with
    the year."""
    if moment is None:
        return ""
    local, now = timezone.localtime(moment), timezone.localtime()
    clock = f"{local:%H:%M}"
    if local.date() == now.date():
        return clock
    day = f"{local.day} {local:%b}" if local.year == now.year else f"{local.day} {local:%b %Y}"
    return day if style == "list" else f"{day}, {clock}"


@register.filter
def member(user) -> str:
    """The company for a brand, the display name for a creator (as everywhere in chat)."""
    from ..selectors.conversations import member_name

    return member_name(user) if user is not None else "Influmojo"
