"""Every API error leaves in one envelope: {"error": {code, message, details, timestamp}}."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("influmojo.tests.urls_errors")]


def envelope(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details", "timestamp"}
    assert body["error"]["timestamp"].endswith("Z")
    return body["error"]


def test_validation_errors_list_fields_under_details(api_client):
    response = api_client.post("/api/v1/validate", {"amount": "0", "currency": "XXX"}, format="json")

    assert response.status_code == 400
    error = envelope(response)
    assert error["code"] == "validation_error"
    assert set(error["details"]) == {"amount", "currency"}


def test_malformed_json_is_a_400(api_client):
    response = api_client.post("/api/v1/validate", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert envelope(response)["code"] == "parse_error"


def test_anonymous_gets_401(api_client):
    response = api_client.get("/api/v1/private")

    assert response.status_code == 401
    assert envelope(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_bearer_token_gets_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")

    response = api_client.get("/api/v1/private")

    assert response.status_code == 401
    assert envelope(response)["code"] == "authentication_failed"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/forbidden", 403, "permission_denied"),
        ("/api/v1/django-forbidden", 403, "permission_denied"),
        ("/api/v1/missing", 404, "not_found"),
        ("/api/v1/conflict", 409, "invalid_transition"),
        ("/api/v1/payment", 402, "payment_failed"),
        ("/api/v1/model-invalid", 400, "validation_error"),
    ],
)
def test_raised_errors_keep_their_status_and_code(api_client, path, status, code):
    response = api_client.get(path)

    assert response.status_code == status
    assert envelope(response)["code"] == code


def test_application_error_details_are_passed_through(api_client):
    error = envelope(api_client.get("/api/v1/payment"))

    assert error["message"] == "card declined"
    assert error["details"] == {"decline_code": "insufficient_funds"}


def test_method_not_allowed_is_a_405(api_client):
    response = api_client.delete("/api/v1/validate")

    assert response.status_code == 405
    assert envelope(response)["code"] == "method_not_allowed"


def test_unknown_api_route_is_a_404_envelope(api_client):
    response = api_client.get("/api/v1/no-such-route")

    assert response.status_code == 404
    assert envelope(response)["code"] == "not_found"


def test_throttled_is_a_429_with_retry_after(api_client):
    api_client.get("/api/v1/throttled")

    response = api_client.get("/api/v1/throttled")

    assert response.status_code == 429
    error = envelope(response)
    assert error["code"] == "throttled" and error["details"]["retry_after_seconds"] > 0


def test_unexpected_error_is_a_500_envelope_without_internals(api_client, settings):
    settings.DEBUG = False

    response = api_client.get("/api/v1/crash")

    assert response.status_code == 500
    error = envelope(response)
    assert error["code"] == "server_error"
    assert "passwd" not in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.urls("influmojo.urls")
@pytest.mark.parametrize("path", ["/api/v1/packages/99999999999999999999999", "/api/v1/calendar/9223372036854775808"])
def test_ids_beyond_the_bigint_range_are_404_not_database_errors(api_client, creator, path):
    api_client.force_authenticate(creator)

    response = api_client.get(path)

    assert response.status_code == 404
    assert envelope(response)["code"] == "not_found"
