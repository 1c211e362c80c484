"""Brand-side API routes (discovery, AI search, shortlists, recommendations), one module per area."""

from . import ai_search, discovery, recommendations, shortlists

urlpatterns = [
    *ai_search.urlpatterns,  # before discovery: /creators/search
    *recommendations.urlpatterns,
    *discovery.urlpatterns,
    *shortlists.urlpatterns,
]
