from django.urls import reverse
from django.utils.functional import SimpleLazyObject

NAV = {
    "brand": [
        ("Dashboard", "dashboard"),
        ("Discover creators", "brand_discover"),
        ("Shortlists", "brand_shortlists"),
        ("Orders", "order_list"),
        ("Messages", "inbox"),
        ("Cart", "cart"),
        ("Payments", "payments_dashboard"),
    ],
    "creator": [
        ("Dashboard", "dashboard"),
        ("Packages", "creator_packages"),
        ("Orders", "order_list"),
        ("Messages", "inbox"),
        ("Social accounts", "creator_social"),
        ("Calendar", "creator_calendar"),
        ("Earnings", "creator_earnings"),
    ],
    "agent": [("Support queue", "admin:index")],
    "admin": [("Admin", "admin:index")],
}


def _initials(user) -> str:
    words = user.display_name.replace(".", " ").replace("_", " ").split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


def navigation(request):
    """Role-aware navigation links and the user's initials for base.html; later issues add their pages to NAV.

    Both values are lazy, so a page that never shows them (500.html) never loads the user from the session.
    """
    user = getattr(request, "user", None)

    def links():
        if user is None or not user.is_authenticated:
            return []
        return [(label, reverse(name)) for label, name in NAV.get(user.user_type, [])]

    def initials():
        if user is None or not user.is_authenticated:
            return ""
        return _initials(user)

    return {"nav_links": SimpleLazyObject(links), "user_initials": SimpleLazyObject(initials)}
