"""Onboarding: the services that save and skip steps, and the /api/v1/onboarding/... routes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import onboarding, services
from accounts.models import BrandProfile, CreatorProfile
from creators.models import SocialAccount
from creators.selectors.social import social_handles_of
from creators.tests.factories import SocialAccountFactory
from influmojo.errors import ApplicationError, NotFound

pytestmark = pytest.mark.django_db

CREATOR_STEPS = {
    "personal": {
        "display_name": "Asha Travels",
        "bio": "Slow travel and street food.",
        "gender": "female",
        "date_of_birth": "1996-04-12",
        "country": "in",
        "state": "Kerala",
        "city": "Kochi",
        "pincode": "682001",
        "languages": ["en", "hi", "ml"],
    },
    "categories": {"content_categories": ["travel", "food"], "niches": ["street food", "slow travel"]},
    "social": {
        "social_handles": [
            {"platform": "instagram", "handle": "@asha.travels", "followers": 48200},
            {"platform": "youtube", "handle": "AshaTravels"},
        ]
    },
    "rates": {
        "content_types": ["instagram_reel", "youtube_video"],
        "min_rate": "150.00",
        "max_rate": "900.50",
        "currency": "inr",
        "availability": "busy",
    },
}

BRAND_STEPS = {
    "company": {
        "company_name": "Chai Co.",
        "industry": "food_beverage",
        "industries": ["retail_ecommerce"],
        "role_in_organization": "Head of marketing",
        "business_type": "d2c",
        "company_size": "11-50",
        "website": "chaico.example",
        "description": "Small-batch chai.",
        "country": "GB",
        "state": "England",
        "city": "Leeds",
    },
    "goals": {"marketing_goals": ["brand_awareness", "sales"]},
    "preferences": {
        "budget_min": "500",
        "budget_max": "5000",
        "currency": "GBP",
        "target_audience": {"countries": ["GB", "ie"], "languages": ["en"], "age_min": 18, "age_max": 35},
        "preferences": {"platforms": ["instagram", "tiktok"], "content_types": ["instagram_reel"]},
    },
}


def url(role: str, step: str) -> str:
    return f"/api/v1/onboarding/{role}/{step}"


def years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        anniversary = today.replace(year=today.year - years, day=28)
    return (anniversary + timedelta(days=days)).isoformat()


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error["details"]


# --- Services ---------------------------------------------------------------------------------------------
def test_saving_a_step_writes_its_fields_and_advances(creator):
    # given a creator at the start of onboarding
    data = {"content_categories": ["travel"], "niches": ["trains"]}

    # when they save the categories step
    user = services.onboarding_save_step(user=creator, step="categories", data=data)

    # then the profile has the fields, the step is completed and the next open step is the first one
    profile = CreatorProfile.objects.get(user=creator)
    assert profile.content_categories == ["travel"] and profile.niches == ["trains"]
    assert user.onboarding_state == {"categories": "completed"}
    assert user.onboarding_step == "personal"
    assert not user.onboarding_completed


def test_a_step_writes_only_its_own_fields(creator):
    # given data that also carries a field of another step
    data = {"content_categories": ["travel"], "bio": "sneaked in"}

    services.onboarding_save_step(user=creator, step="categories", data=data)

    assert CreatorProfile.objects.get(user=creator).bio == ""


def test_finishing_every_step_completes_onboarding(brand):
    services.onboarding_save_step(user=brand, step="company", data={"company_name": "Acme"})
    services.onboarding_skip_step(user=brand, step="goals")
    user = services.onboarding_save_step(
        user=brand, step="preferences", data={"budget_min": Decimal("1"), "budget_max": Decimal("2")}
    )

    assert user.onboarding_completed is True
    assert user.onboarding_step == ""
    assert user.onboarding_state == {"company": "completed", "goals": "skipped", "preferences": "completed"}


def test_skipping_moves_on_and_counts_as_answered_for_resume(creator):
    user = services.onboarding_skip_step(user=creator, step="personal")

    assert user.onboarding_state == {"personal": "skipped"}
    assert user.onboarding_step == "categories"
    assert onboarding.progress(user)["percent"] == 0


def test_skipping_a_completed_step_keeps_it_completed(creator):
    services.onboarding_save_step(user=creator, step="categories", data={"content_categories": ["music"]})

    user = services.onboarding_skip_step(user=creator, step="categories")

    assert user.onboarding_state == {"categories": "completed"}


def test_a_step_of_another_role_is_not_found(creator, brand):
    with pytest.raises(NotFound):
        services.onboarding_save_step(user=creator, step="company", data={"company_name": "x"})
    with pytest.raises(NotFound):
        services.onboarding_skip_step(user=brand, step="personal")


def test_agents_have_no_onboarding(agent):
    with pytest.raises(ApplicationError) as caught:
        services.onboarding_skip_step(user=agent, step="personal")

    assert caught.value.code == "no_onboarding" and caught.value.status == 400


def test_a_reversed_rate_range_is_refused_by_the_service_too(creator):
    with pytest.raises(ApplicationError) as caught:
        services.onboarding_save_step(
            user=creator,
            step="rates",
            data={"content_types": ["blog_post"], "min_rate": Decimal("9"), "max_rate": Decimal("1")},
        )

    assert caught.value.code == "invalid_range"
    assert CreatorProfile.objects.get(user=creator).min_rate is None


# --- API: happy paths ------------------------------------------------------------------------------------
@pytest.mark.parametrize("step", list(CREATOR_STEPS))
def test_creator_saves_each_step(auth_client, creator, step):
    response = auth_client(creator).post(url("creator", step), CREATOR_STEPS[step], format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert {"step": step, "title": onboarding.TITLES[step], "status": "completed"} in body["progress"]["steps"]
    assert body["progress"]["percent"] == 25


@pytest.mark.parametrize("step", list(BRAND_STEPS))
def test_brand_saves_each_step(auth_client, brand, step):
    response = auth_client(brand).post(url("brand", step), BRAND_STEPS[step], format="json")

    assert response.status_code == 200, response.content
    assert response.json()["progress"]["percent"] == 33


def test_creator_step_data_is_normalised_and_stored(auth_client, creator):
    client = auth_client(creator)
    for step, data in CREATOR_STEPS.items():
        assert client.post(url("creator", step), data, format="json").status_code == 200

    profile = CreatorProfile.objects.get(user=creator)
    creator.refresh_from_db()
    assert profile.country == "IN" and profile.date_of_birth == date(1996, 4, 12)
    assert profile.languages == ["en", "hi", "ml"]
    assert social_handles_of(creator_id=creator.pk) == [
        {"platform": "instagram", "handle": "asha.travels", "followers": 48200},
        {"platform": "youtube", "handle": "AshaTravels", "followers": None},
    ]
    accounts = SocialAccount.objects.filter(creator=creator)
    assert {(a.platform, a.username, a.source, a.state) for a in accounts} == {
        ("instagram", "asha.travels", "self_reported", "self_reported"),
        ("youtube", "AshaTravels", "self_reported", "self_reported"),
    }
    assert (profile.min_rate, profile.max_rate, profile.currency) == (Decimal("150.00"), Decimal("900.50"), "INR")
    assert profile.availability == "busy"
    assert creator.onboarding_completed and creator.onboarding_step == ""


def test_the_social_step_replaces_typed_in_handles_and_keeps_connected_accounts(auth_client, creator):
    connected = SocialAccountFactory(creator=creator, platform="youtube", username="AshaTravels", followers=52_100)
    client = auth_client(creator)
    client.post(url("creator", "social"), CREATOR_STEPS["social"], format="json")

    response = client.post(url("creator", "social"), {"social_handles": [
        {"platform": "tiktok", "handle": "asha_t", "followers": 900},
        {"platform": "youtube", "handle": "AshaTravels", "followers": 1},
    ]}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["social_handles"] == [
        {"platform": "youtube", "handle": "AshaTravels", "followers": 52_100},
        {"platform": "tiktok", "handle": "asha_t", "followers": 900},
    ]
    rows = {(a.platform, a.username, a.source) for a in SocialAccount.objects.filter(creator=creator)}
    assert rows == {("youtube", "AshaTravels", "oauth"), ("tiktok", "asha_t", "self_reported")}  # instagram dropped
    connected.refresh_from_db()
    assert connected.followers == 52_100 and connected.state == "connected"


def test_brand_step_data_is_normalised_and_stored(auth_client, brand):
    client = auth_client(brand)
    for step, data in BRAND_STEPS.items():
        assert client.post(url("brand", step), data, format="json").status_code == 200

    profile = BrandProfile.objects.get(user=brand)
    assert profile.website == "https://chaico.example"
    assert profile.marketing_goals == ["brand_awareness", "sales"]
    assert (profile.budget_min, profile.budget_max, profile.currency) == (Decimal("500"), Decimal("5000"), "GBP")
    assert profile.target_audience == {"countries": ["GB", "IE"], "languages": ["en"], "age_min": 18, "age_max": 35}
    assert profile.preferences == {"platforms": ["instagram", "tiktok"], "content_types": ["instagram_reel"]}


def test_the_step_response_returns_the_saved_fields(auth_client, creator):
    response = auth_client(creator).post(url("creator", "rates"), CREATOR_STEPS["rates"], format="json")

    assert response.json()["data"] == {
        "content_types": ["instagram_reel", "youtube_video"],
        "min_rate": "150.00",
        "max_rate": "900.50",
        "currency": "INR",
        "availability": "busy",
    }


def test_optional_fields_left_out_are_reset_to_empty(auth_client, brand):
    client = auth_client(brand)
    client.post(url("brand", "company"), BRAND_STEPS["company"], format="json")

    client.post(url("brand", "company"), {"company_name": "Chai Co."}, format="json")

    profile = BrandProfile.objects.get(user=brand)
    assert profile.company_name == "Chai Co." and profile.website == "" and profile.industries == []


def test_brand_preferences_defaults_fill_the_nested_objects(auth_client, brand):
    auth_client(brand).post(url("brand", "preferences"), {"budget_min": "0", "budget_max": "10"}, format="json")

    profile = BrandProfile.objects.get(user=brand)
    assert profile.target_audience == {"countries": [], "languages": [], "age_min": None, "age_max": None}
    assert profile.preferences == {"platforms": [], "content_types": []}
    assert profile.currency == "USD"


def test_repeated_list_entries_are_dropped(auth_client, creator):
    data = {"content_categories": ["travel", "travel", "food"], "niches": ["a", "a"]}

    auth_client(creator).post(url("creator", "categories"), data, format="json")

    profile = CreatorProfile.objects.get(user=creator)
    assert profile.content_categories == ["travel", "food"] and profile.niches == ["a"]


# --- API: bad input -------------------------------------------------------------------------------------
def with_(base: dict, **changes) -> dict:
    return {**base, **changes}


def without(base: dict, key: str) -> dict:
    return {k: v for k, v in base.items() if k != key}


PERSONAL = CREATOR_STEPS["personal"]
RATES = CREATOR_STEPS["rates"]
COMPANY = BRAND_STEPS["company"]
PREFERENCES = BRAND_STEPS["preferences"]

CREATOR_BAD_INPUT = [
    ("personal", without(PERSONAL, "display_name"), ["display_name"]),
    ("personal", with_(PERSONAL, date_of_birth=years_ago(0, days=1)), ["date_of_birth"]),
    ("personal", with_(PERSONAL, date_of_birth=years_ago(13, days=1)), ["date_of_birth"]),
    ("personal", with_(PERSONAL, date_of_birth="12/04/1996"), ["date_of_birth"]),
    ("personal", with_(PERSONAL, country="XX"), ["country"]),
    ("personal", with_(PERSONAL, country="IND"), ["country"]),
    ("personal", with_(PERSONAL, gender="robot"), ["gender"]),
    ("personal", with_(PERSONAL, pincode="68 00 01 !"), ["pincode"]),
    ("personal", with_(PERSONAL, languages=[]), ["languages"]),
    ("personal", with_(PERSONAL, languages=["klingon"]), ["languages"]),
    ("personal", with_(PERSONAL, bio="x" * 2001), ["bio"]),
    ("categories", {"content_categories": []}, ["content_categories"]),
    ("categories", {"content_categories": ["astrology"]}, ["content_categories"]),
    ("categories", {"content_categories": list(onboarding.CONTENT_CATEGORIES)[:11]}, ["content_categories"]),
    ("categories", {"content_categories": ["travel"], "niches": ["x" * 41]}, ["niches"]),
    ("categories", {"content_categories": ["travel"], "niches": [f"n{i}" for i in range(16)]}, ["niches"]),
    ("social", {"social_handles": []}, ["social_handles"]),
    ("social", {"social_handles": [{"platform": "myspace", "handle": "tom"}]}, ["social_handles"]),
    ("social", {"social_handles": [{"platform": "instagram", "handle": "bad handle!"}]}, ["social_handles"]),
    ("social", {"social_handles": [{"platform": "instagram", "handle": "a" * 51}]}, ["social_handles"]),
    ("social", {"social_handles": [{"platform": "instagram", "handle": "@"}]}, ["social_handles"]),
    ("social", {"social_handles": [{"platform": "instagram", "handle": "a", "followers": -1}]}, ["social_handles"]),
    (
        "social",
        {"social_handles": [{"platform": "tiktok", "handle": "a"}, {"platform": "tiktok", "handle": "b"}]},
        ["social_handles"],
    ),
    ("rates", with_(RATES, min_rate="0"), ["min_rate"]),
    ("rates", with_(RATES, max_rate="-5"), ["max_rate"]),
    ("rates", with_(RATES, min_rate="500", max_rate="100"), ["max_rate"]),
    ("rates", with_(RATES, min_rate="ten"), ["min_rate"]),
    ("rates", with_(RATES, currency="BTC"), ["currency"]),
    ("rates", with_(RATES, content_types=["séance"]), ["content_types"]),
    ("rates", with_(RATES, availability="sometimes"), ["availability"]),
]


@pytest.mark.parametrize("step,data,fields", CREATOR_BAD_INPUT)
def test_creator_bad_input_is_a_400_envelope_naming_the_field(auth_client, creator, step, data, fields):
    # when a creator posts a step with one bad field
    response = auth_client(creator).post(url("creator", step), data, format="json")

    # then it is refused with the field in the envelope's details, and nothing is marked done
    details = assert_envelope(response, 400, "validation_error")
    assert sorted(details) == fields
    creator.refresh_from_db()
    assert creator.onboarding_state == {}


BRAND_BAD_INPUT = [
    ("company", without(COMPANY, "company_name"), ["company_name"]),
    ("company", with_(COMPANY, company_name="  "), ["company_name"]),
    ("company", with_(COMPANY, website="ftp://chaico.example"), ["website"]),
    ("company", with_(COMPANY, website="not a url"), ["website"]),
    ("company", with_(COMPANY, company_size="huge"), ["company_size"]),
    ("company", with_(COMPANY, industries=list(onboarding.INDUSTRIES)[:6]), ["industries"]),
    ("company", with_(COMPANY, country="ZZ"), ["country"]),
    ("goals", {"marketing_goals": []}, ["marketing_goals"]),
    ("goals", {"marketing_goals": list(onboarding.MARKETING_GOALS)[:9]}, ["marketing_goals"]),
    ("goals", {"marketing_goals": ["world_domination"]}, ["marketing_goals"]),
    ("preferences", with_(PREFERENCES, budget_min="900", budget_max="100"), ["budget_max"]),
    ("preferences", with_(PREFERENCES, budget_min="-1"), ["budget_min"]),
    ("preferences", with_(PREFERENCES, currency="XYZ"), ["currency"]),
    ("preferences", with_(PREFERENCES, target_audience={"countries": ["Narnia"]}), ["target_audience"]),
    ("preferences", with_(PREFERENCES, target_audience={"age_min": 12}), ["target_audience"]),
    ("preferences", with_(PREFERENCES, target_audience={"age_max": 101}), ["target_audience"]),
    ("preferences", with_(PREFERENCES, target_audience={"age_min": 40, "age_max": 20}), ["target_audience"]),
    ("preferences", with_(PREFERENCES, preferences={"platforms": ["friendster"]}), ["preferences"]),
]


@pytest.mark.parametrize("step,data,fields", BRAND_BAD_INPUT)
def test_brand_bad_input_is_a_400_envelope_naming_the_field(auth_client, brand, step, data, fields):
    response = auth_client(brand).post(url("brand", step), data, format="json")

    details = assert_envelope(response, 400, "validation_error")
    assert sorted(details) == fields


def test_nested_errors_point_at_the_exact_item(auth_client, creator, brand):
    social = {"social_handles": [{"platform": "instagram", "handle": "ok"}, {"platform": "youtube", "handle": "no way"}]}
    response = auth_client(creator).post(url("creator", "social"), social, format="json")
    details = assert_envelope(response, 400, "validation_error")
    assert list(details["social_handles"]) == ["1"]
    assert "handle" in details["social_handles"]["1"]

    audience = with_(PREFERENCES, target_audience={"age_min": 40, "age_max": 20})
    response = auth_client(brand).post(url("brand", "preferences"), audience, format="json")
    details = assert_envelope(response, 400, "validation_error")
    assert list(details["target_audience"]) == ["age_max"]


def test_a_creator_just_turning_13_today_is_accepted(auth_client, creator):
    data = with_(PERSONAL, date_of_birth=years_ago(13))

    response = auth_client(creator).post(url("creator", "personal"), data, format="json")

    assert response.status_code == 200


def test_a_body_that_is_not_an_object_is_refused(auth_client, creator):
    response = auth_client(creator).post(url("creator", "categories"), ["travel"], format="json")

    assert_envelope(response, 400, "validation_error")


# --- API: who may call what -------------------------------------------------------------------------------
ALL_ROUTES = [
    *[("post", url("creator", step)) for step in CREATOR_STEPS],
    ("get", url("creator", "progress")),
    ("put", url("creator", "skip/personal")),
    *[("post", url("brand", step)) for step in BRAND_STEPS],
    ("get", url("brand", "progress")),
    ("put", url("brand", "skip/company")),
]


@pytest.mark.parametrize("method,path", ALL_ROUTES)
def test_anonymous_callers_get_401(api_client, method, path):
    response = getattr(api_client, method)(path, {}, format="json")

    assert_envelope(response, 401, "not_authenticated")


@pytest.mark.parametrize("method,path", [route for route in ALL_ROUTES if "/creator/" in route[1]])
def test_a_brand_calling_a_creator_route_gets_403(auth_client, brand, method, path):
    response = getattr(auth_client(brand), method)(path, CREATOR_STEPS.get(path.rsplit("/", 1)[-1], {}), format="json")

    assert_envelope(response, 403, "permission_denied")
    brand.refresh_from_db()
    assert brand.onboarding_state == {}


@pytest.mark.parametrize("method,path", [route for route in ALL_ROUTES if "/brand/" in route[1]])
def test_a_creator_calling_a_brand_route_gets_403(auth_client, creator, method, path):
    response = getattr(auth_client(creator), method)(path, BRAND_STEPS.get(path.rsplit("/", 1)[-1], {}), format="json")

    assert_envelope(response, 403, "permission_denied")


def test_an_agent_gets_403_on_onboarding_routes(auth_client, agent):
    assert_envelope(auth_client(agent).get(url("creator", "progress")), 403, "permission_denied")
    assert_envelope(auth_client(agent).put(url("brand", "skip/goals")), 403, "permission_denied")


# --- API: progress, skip and resume ------------------------------------------------------------------------
def test_progress_starts_with_every_step_pending(auth_client, creator):
    progress = auth_client(creator).get(url("creator", "progress")).json()["progress"]

    assert progress == {
        "flow": "creator",
        "completed": False,
        "current_step": "personal",
        "percent": 0,
        "steps": [
            {"step": step, "title": onboarding.TITLES[step], "status": "pending"}
            for step in onboarding.FLOWS["creator"]
        ],
    }


def test_skip_then_resume_then_finish(auth_client, creator):
    client = auth_client(creator)

    # given the creator skips "personal"
    skipped = client.put(url("creator", "skip/personal"))
    assert skipped.status_code == 200
    assert skipped.json()["progress"]["current_step"] == "categories"

    # when they come back later (force_authenticate keeps this very object as request.user), progress shows
    # the skip and the next step
    creator.refresh_from_db()
    progress = client.get(url("creator", "progress")).json()["progress"]
    assert [item["status"] for item in progress["steps"]] == ["skipped", "pending", "pending", "pending"]
    assert progress["current_step"] == "categories"

    # and they answer the rest
    for step in ("categories", "social", "rates"):
        assert client.post(url("creator", step), CREATOR_STEPS[step], format="json").status_code == 200

    # then onboarding is complete, with 3 of 4 steps answered
    creator.refresh_from_db()
    progress = client.get(url("creator", "progress")).json()["progress"]
    assert progress["completed"] is True and progress["current_step"] == ""
    assert progress["percent"] == 75


def test_going_back_to_an_earlier_step_keeps_the_next_open_one(auth_client, creator):
    client = auth_client(creator)
    client.post(url("creator", "personal"), PERSONAL, format="json")
    client.post(url("creator", "categories"), CREATOR_STEPS["categories"], format="json")

    response = client.post(url("creator", "personal"), with_(PERSONAL, city="Munnar"), format="json")

    assert response.json()["progress"]["current_step"] == "social"
    assert CreatorProfile.objects.get(user=creator).city == "Munnar"


def test_skipping_an_unknown_step_is_404(auth_client, brand):
    response = auth_client(brand).put(url("brand", "skip/personal"))

    assert_envelope(response, 404, "not_found")


def test_brand_skips_every_step_and_is_done(auth_client, brand):
    client = auth_client(brand)
    for step in onboarding.FLOWS["brand"]:
        response = client.put(url("brand", f"skip/{step}"))

    progress = response.json()["progress"]
    assert progress["completed"] is True and progress["percent"] == 0
    brand.refresh_from_db()
    assert brand.onboarding_completed is True
