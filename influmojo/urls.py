from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import converters, health, views

register_converter(converters.IdConverter, "id")  # before any app's urls are imported

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("creators.api.urls")),
    path("", include("brands.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("chat.api.urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("creators.urls")),
    path("", include("brands.urls")),
    path("", include("orders.urls")),
    path("", include("payments.urls")),
    path("", include("chat.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = views.permission_denied
handler404 = views.not_found
handler500 = views.server_error
