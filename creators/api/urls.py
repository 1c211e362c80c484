"""Creator-side API routes, one module per area (see API.md)."""

from . import calendar, packages, profiles, reviews, social

urlpatterns = [
    *packages.urlpatterns,
    *social.urlpatterns,
    *reviews.urlpatterns,
    *calendar.urlpatterns,
    *profiles.urlpatterns,
]
