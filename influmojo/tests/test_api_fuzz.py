"""Property test over the whole documented API: whatever a client sends, the answer is never a 5xx.

schemathesis generates requests from /api/schema/ and sends them in-process through the WSGI app,
as the role each route is for (brand routes as a brand, the rest as a creator), so every endpoint
is covered as soon as it is documented. Anonymous callers are covered by the 401 tests of each app.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error

from accounts.tests.factories import PASSWORD, BrandUserFactory, CreatorUserFactory

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/", app).include(path_regex=r"^/api/v1/")
ROLES = {"creator": CreatorUserFactory, "brand": BrandUserFactory}


@contextmanager
def connection_kept():
    """As Django's test client does: the request must not close the connection the test transaction lives on."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    """Authorization headers per role; role-scoped routes (/…/brand/…) are called by that role."""
    headers = {}
    for role, factory in ROLES.items():
        email = factory().email
        login = APIClient().post("/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD}, format="json")
        headers[role] = {"Authorization": f"Bearer {login.json()['meta']['access_token']}"}
    return headers


def role_for(path: str) -> str:
    return "brand" if "/brand/" in path else "creator"


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_the_api_fail(case, bearer):
    cache.clear()  # throttles would otherwise answer 429 and hide what is behind them

    with connection_kept():
        response = case.call(headers=bearer[role_for(case.path)])

    case.validate_response(response, checks=[not_a_server_error])
