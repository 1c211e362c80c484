"""OpenAPI pieces drf-spectacular cannot guess: the allauth JWT scheme and the error envelope."""

import re

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


class AllauthJWTScheme(OpenApiAuthenticationExtension):
    target_class = "allauth.headless.contrib.rest_framework.authentication.JWTTokenAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from /_allauth/app/v1/auth/login (or signup, or tokens/refresh).",
        }


ErrorEnvelope = inline_serializer(
    "ErrorEnvelope",
    fields={
        "error": inline_serializer(
            "Error",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
                "timestamp": serializers.DateTimeField(),
            },
        )
    },
)


class AutoSchema(openapi.AutoSchema):
    """Documents the error envelope on every operation, so the mobile app can rely on its shape."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        codes = ["400", "404", "429"]
        if self.get_auth():
            codes[1:1] = ["401", "403"]
        for code in codes:
            bodies.setdefault(code, self._get_response_for_code(ErrorEnvelope, code, direction=direction))
        return bodies


def merge_allauth_headless(result, generator, request, public):
    """Postprocessing hook: adds allauth headless's own spec (/_allauth/app/v1/…: signup, login, tokens,
    e-mail, phone, password, Google) so /api/schema/ is the whole truth for the mobile app."""
    from allauth.headless.spec.internal.schema import get_schema
    from django.core.exceptions import ImproperlyConfigured

    spec = get_schema()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                name = re.sub(r"\W+", "_", path.removeprefix("/_allauth/app/v1/")).strip("_")
                operation.setdefault("operationId", f"allauth_{name}_{method}")
    result["paths"].update(spec["paths"])
    components = result.setdefault("components", {})
    for section, entries in spec.get("components", {}).items():
        target = components.setdefault(section, {})
        for name, value in entries.items():
            if target.get(name, value) != value:
                raise ImproperlyConfigured(f"OpenAPI component {section}.{name} is defined by us and by allauth")
            target[name] = value
    known = {tag["name"] for tag in result.get("tags", [])}
    result.setdefault("tags", []).extend(tag for tag in spec.get("tags", []) if tag["name"] not in known)
    return result
