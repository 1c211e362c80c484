"""POST /api/v1/creators/search: sentence in, creators and search_insights out; OpenAI faked at HTTP."""

import json
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import ScopedRateThrottle

from accounts.tests.factories import BrandUserFactory
from brands.tests.factories import CreatorCardFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/creators/search"
RECORDED = Path(__file__).parent / "recorded"
SENTENCE = "tech YouTubers over 100K who review gadgets, budget 500–2000"


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture(autouse=True)
def no_openai_key(settings):
    settings.OPENAI_API_KEY = ""


@pytest.fixture
def api(auth_client, brand):
    return auth_client(brand)


@pytest.fixture
def gadget_reviewers(db):
    """Two tech YouTubers who review gadgets (one inside the budget), and creators each missing one filter."""
    tech = {"categories": ["technology"], "platforms": ["youtube"], "primary_platform": "youtube",
            "bio": "I review the latest gadgets and phones every week."}
    return {
        "fits": CreatorCardFactory(**tech, followers=250_000, min_price=Decimal("800"), max_price=Decimal("1500")),
        "pricey": CreatorCardFactory(**tech, followers=900_000, min_price=Decimal("1800"), max_price=Decimal("6000")),
        "small": CreatorCardFactory(**tech, followers=40_000),
        "instagram": CreatorCardFactory(**{**tech, "platforms": ["instagram"], "primary_platform": "instagram"},
                                        followers=300_000),
        "beauty": CreatorCardFactory(**{**tech, "categories": ["beauty"]}, followers=300_000),
        "expensive": CreatorCardFactory(**tech, followers=300_000, min_price=Decimal("5000"),
                                        max_price=Decimal("9000")),
    }


def test_anonymous_callers_get_401(api_client):
    assert error(api_client.post(URL, {"query": SENTENCE}, format="json"), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize("body", [{}, {"query": ""}, {"query": "ab"}, {"query": "   x  "}, {"query": "x" * 501},
                                  {"query": None}, {"query": SENTENCE, "limit": 0},
                                  {"query": SENTENCE, "limit": 51}, {"query": SENTENCE, "offset": -1},
                                  {"query": SENTENCE, "offset": 10_001}, {"query": ["list"]}])
def test_bad_input_is_400_in_the_envelope(api, body):
    assert error(api.post(URL, body, format="json"), 400)["code"] == "validation_error"


def test_without_a_key_the_parser_filters_and_explains(api, gadget_reviewers):
    response = api.post(URL, {"query": SENTENCE}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    ids = {row["id"] for row in body["results"]}
    expected = {gadget_reviewers[k].pk for k in ("fits", "pricey")}
    assert ids == expected
    assert (body["total"], body["total_is_exact"]) == (2, True)
    insights = body["search_insights"]
    assert (insights["source"], insights["fallback_reason"]) == ("parser", "no_api_key")
    assert insights["filters_applied"] == {
        "search": "review", "platforms": ["youtube"], "niches": ["technology"], "min_followers": 100000,
        "min_price": "500.00", "max_price": "2000.00",
    }
    assert insights["interpretation"].startswith("Technology creators on YouTube, with at least 100,000 followers")
    budget = insights["budget_analysis"]
    assert (budget["budget_min"], budget["budget_max"]) == ("500.00", "2000.00")
    assert (budget["results_considered"], budget["within_budget"]) == (2, 2)
    assert (budget["cheapest_price"], budget["median_price"]) == ("800.00", "1300.00")


def test_limit_and_offset_page_the_results(api, gadget_reviewers):
    first = api.post(URL, {"query": SENTENCE, "limit": 1}, format="json").json()
    second = api.post(URL, {"query": SENTENCE, "limit": 1, "offset": 1}, format="json").json()

    assert len(first["results"]) == len(second["results"]) == 1
    assert first["total"] == second["total"] == 2
    assert first["results"][0] != second["results"][0]
    assert first["search_insights"]["budget_analysis"]["results_considered"] == 1


def test_creators_may_search_too(auth_client, creator, gadget_reviewers):
    response = auth_client(creator).post(URL, {"query": SENTENCE}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["total"] == 2


def test_the_models_reading_is_used_when_valid(api, settings, monkeypatch, gadget_reviewers):
    settings.OPENAI_API_KEY = "sk-test-key"
    answer = json.loads((RECORDED / "openai_valid.json").read_text())
    content = json.loads(answer["choices"][0]["message"]["content"])
    content.update(max_price=1000, niches=[])  # only the creator priced 800–1500 fits a 500–1000 budget
    answer["choices"][0]["message"]["content"] = json.dumps(content)
    sent = []

    def handler(request):
        sent.append(json.loads(request.content))
        return httpx2.Response(200, json=answer)

    monkeypatch.setattr("brands.ai_search.model.http_client",
                        lambda: httpx2.Client(transport=httpx2.MockTransport(handler)))

    body = api.post(URL, {"query": SENTENCE}, format="json").json()

    assert sent[0]["messages"][-1]["content"] == SENTENCE
    insights = body["search_insights"]
    assert (insights["source"], insights["fallback_reason"]) == ("ai", None)
    assert insights["filters_applied"]["max_price"] == "1000.00"
    assert body["total"] == 1


def test_a_timeout_still_answers_from_the_parser(api, settings, monkeypatch, gadget_reviewers):
    settings.OPENAI_API_KEY = "sk-test-key"

    def handler(request):
        raise httpx2.ReadTimeout("read timed out", request=request)

    monkeypatch.setattr("brands.ai_search.model.http_client",
                        lambda: httpx2.Client(transport=httpx2.MockTransport(handler)))

    body = api.post(URL, {"query": SENTENCE}, format="json").json()

    assert body["search_insights"]["fallback_reason"] == "timeout"
    assert body["total"] == 2


def test_the_nplus1th_search_is_throttled_per_user(api, auth_client, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "ai_search", "3/min")

    statuses = [api.post(URL, {"query": "beauty creators"}, format="json").status_code for _ in range(3)]
    throttled = error(api.post(URL, {"query": "beauty creators"}, format="json"), 429)

    assert statuses == [200, 200, 200]
    assert throttled["code"] == "throttled" and throttled["details"]["retry_after_seconds"] > 0
    assert auth_client(BrandUserFactory()).post(URL, {"query": "beauty creators"}, format="json").status_code == 200


def test_query_count_is_the_same_for_one_and_many_results(api):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert api.post(URL, {"query": "lifestyle creators", "limit": 25}, format="json").status_code == 200
        return len(queries)

    CreatorCardFactory()
    one = count_queries()
    CreatorCardFactory.create_batch(24)
    assert count_queries() == one
