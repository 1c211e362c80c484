"""OpenAPI pieces drf-spectacular cannot guess: the allauth JWT scheme and the error envelope."""

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
