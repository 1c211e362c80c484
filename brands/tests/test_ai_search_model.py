"""The OpenAI path of AI search, faked at the HTTP boundary: the SDK builds and sends the real request."""

import json
import logging
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest

from brands.ai_search import interpret
from brands.ai_search.model import FILTERS_SCHEMA, ModelFiltersSerializer
from brands.query import CreatorQuery

RECORDED = Path(__file__).parent / "recorded"
SENTENCE = "tech YouTubers over 100K who review gadgets, budget 500–2000"
API_KEY = "sk-test-0123456789abcdef"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture
def openai_http(settings, monkeypatch):
    """`openai_http(answer)`: the model's HTTP endpoint answers with `answer` (a dict, a Response, or an
    exception to raise); returns the list of requests it received."""
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_BASE_URL = "https://api.openai.test/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    settings.OPENAI_TIMEOUT_SECONDS = 3.0

    def install(answer):
        requests = []

        def handler(request: httpx2.Request) -> httpx2.Response:
            requests.append(request)
            if isinstance(answer, Exception):
                raise answer
            if isinstance(answer, httpx2.Response):
                return answer
            return httpx2.Response(200, json=answer)

        monkeypatch.setattr("brands.ai_search.model.http_client",
                            lambda: httpx2.Client(transport=httpx2.MockTransport(handler)))
        return requests

    return install


def test_a_valid_answer_is_used_as_the_query(openai_http):
    requests = openai_http(recorded("openai_valid.json"))

    result = interpret(SENTENCE)

    assert (result.source, result.fallback_reason) == ("ai", None)
    assert result.query == CreatorQuery(
        search="review", platforms=("youtube",), niches=("technology", "gadgets"), min_followers=100_000,
        min_price=Decimal("500.00"), max_price=Decimal("2000.00"),
    )
    assert len(requests) == 1


def test_the_request_carries_model_messages_and_the_strict_schema(openai_http):
    requests = openai_http(recorded("openai_valid.json"))

    interpret(SENTENCE)

    request = requests[0]
    body = json.loads(request.content)
    assert (request.method, str(request.url)) == ("POST", "https://api.openai.test/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][1] == {"role": "user", "content": SENTENCE}
    schema = body["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["strict"] is True
    assert schema["json_schema"]["schema"] == FILTERS_SCHEMA
    assert set(FILTERS_SCHEMA["required"]) == set(FILTERS_SCHEMA["properties"])
    assert FILTERS_SCHEMA["additionalProperties"] is False
    assert "youtube" in FILTERS_SCHEMA["properties"]["platforms"]["items"]["enum"]


@pytest.mark.parametrize("name", ["openai_invalid_json.json", "openai_schema_violation.json",
                                  "openai_refusal.json"])
def test_an_answer_we_cannot_trust_falls_back_to_the_parser(openai_http, name):
    openai_http(recorded(name))

    result = interpret(SENTENCE)

    assert (result.source, result.fallback_reason) == ("parser", "invalid_output")
    assert result.query.platforms == ("youtube",) and result.query.min_followers == 100_000


def test_a_truncated_answer_falls_back(openai_http):
    answer = recorded("openai_valid.json")
    answer["choices"][0]["finish_reason"] = "length"
    openai_http(answer)

    assert interpret(SENTENCE).fallback_reason == "invalid_output"


def test_a_response_without_choices_falls_back(openai_http):
    openai_http({"id": "chatcmpl-x", "object": "chat.completion"})

    assert interpret(SENTENCE).fallback_reason == "invalid_output"


def test_a_timeout_falls_back_after_one_attempt(openai_http):
    requests = openai_http(httpx2.ReadTimeout("read timed out"))

    result = interpret(SENTENCE)

    assert (result.source, result.fallback_reason) == ("parser", "timeout")
    assert result.query.niches == ("technology",)
    assert len(requests) == 1  # max_retries=0: the brand is waiting


@pytest.mark.parametrize("answer", [
    httpx2.Response(500, json={"error": {"message": "The server had an error", "type": "server_error"}}),
    httpx2.Response(429, json={"error": {"message": "Rate limit reached", "type": "requests"}}),
    httpx2.Response(401, json={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}),
    httpx2.ConnectError("connection refused"),
])
def test_http_errors_fall_back_as_api_error(openai_http, answer):
    openai_http(answer)

    assert interpret(SENTENCE).fallback_reason == "api_error"


def test_without_a_key_the_parser_answers_and_nothing_is_sent(settings, monkeypatch):
    settings.OPENAI_API_KEY = ""
    monkeypatch.setattr("brands.ai_search.model.openai_client", lambda: pytest.fail("no HTTP without a key"))

    result = interpret(SENTENCE)

    assert (result.source, result.fallback_reason) == ("parser", "no_api_key")
    assert result.query.min_price == Decimal("500")


def test_the_fallback_is_logged_without_the_key(openai_http, caplog):
    openai_http(httpx2.Response(401, json={"error": {"message": f"Incorrect API key provided: {API_KEY}"}}))

    with caplog.at_level(logging.DEBUG):
        interpret(SENTENCE)

    assert "fell back to the parser (api_error: HTTP 401)" in caplog.text
    assert API_KEY not in caplog.text


VALID = json.loads(recorded("openai_valid.json")["choices"][0]["message"]["content"])


@pytest.mark.parametrize("change", [
    {"platforms": ["myspace"]}, {"categories": ["astrology"]}, {"countries": ["India"]}, {"languages": ["klingon"]},
    {"min_followers": -1}, {"min_followers": 10**12}, {"min_followers": "lots"}, {"min_engagement": 101},
    {"min_price": -5}, {"min_price": 3000, "max_price": 2000}, {"min_followers": 5000, "max_followers": 10},
    {"currency": "BTC"}, {"ordering": "random"}, {"size_bands": ["giga"]}, {"platforms": "youtube"},
    {"niches": ["<script>alert(1)</script>"]}, {"keywords": "x" * 201}, {"min_audience_quality": 150},
])
def test_the_serializer_refuses_values_outside_the_vocabulary_and_ranges(change):
    assert not ModelFiltersSerializer(data={**VALID, **change}).is_valid()


def test_the_serializer_ignores_unknown_keys_and_repeats():
    filters = ModelFiltersSerializer(data={**VALID, "platforms": ["youtube", "youtube"], "sql": "DROP TABLE"})

    assert filters.is_valid(), filters.errors
    assert filters.validated_data["platforms"] == ["youtube"]
    assert "sql" not in filters.validated_data
