"""Creator pages (templates), one module per area."""

from .views import calendar, dashboard, packages, portfolio, social

urlpatterns = [
    *dashboard.urlpatterns,
    *packages.urlpatterns,
    *social.urlpatterns,
    *calendar.urlpatterns,
    *portfolio.urlpatterns,
]
