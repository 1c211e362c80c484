from django.urls import reverse

NAV = {
    "brand": [("Dashboard", "dashboard")],
    "creator": [("Dashboard", "dashboard")],
    "agent": [("Support queue", "admin:index")],
    "admin": [("Admin", "admin:index")],
}


def navigation(request):
    """Role-aware navigation links for base.html; later issues add their pages to NAV."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    return {"nav_links": [(label, reverse(name)) for label, name in NAV.get(user.user_type, [])]}
