"""Brand pages (templates), one module per area."""

from .views import discovery, shortlists

urlpatterns = [
    *discovery.urlpatterns,
    *shortlists.urlpatterns,
]
