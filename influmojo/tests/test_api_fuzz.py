"""Property test over the whole documented API: whatever a client sends, the answer is never a 5xx.

schemathesis generates requests from /api/schema/ and sends them in-process through the WSGI app,
as a creator and as a brand (each reaches its own role's routes), so every endpoint is covered as
soon as it is documented. Anonymous callers are covered by the 401 tests of each app.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error

from accounts.tests.factories import PASSWORD, BrandUserFactory, CreatorUserFactory

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/", app).include(path_regex=r"^/api/v1/")
ROLES = {"creator": CreatorUserFactory, "brand": BrandUserFactory}


@pytest.fixture(params=sorted(ROLES))
def bearer(request, db):
    user = ROLES[request.param]()
    login = APIClient().post("/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    return {"Authorization": f"Bearer {login.json()['meta']['access_token']}"}


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_makes_the_api_fail(case, bearer):
    cache.clear()  # throttles would otherwise answer 429 and hide what is behind them

    response = case.call(headers=bearer)

    case.validate_response(response, checks=[not_a_server_error])
