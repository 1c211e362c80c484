"""The browser wizard (/onboarding/<step>/) and the Profile & settings page (/settings/)."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import BrandProfile, CreatorProfile, User
from accounts.tests.test_onboarding import years_ago
from creators.selectors.social import social_handles_of

pytestmark = pytest.mark.django_db

PERSONAL = {
    "display_name": "Asha Travels",
    "date_of_birth": "1996-04-12",
    "gender": "female",
    "country": "IN",
    "state": "Kerala",
    "city": "Kochi",
    "pincode": "682001",
    "bio": "Slow travel.",
    "languages": ["en", "ml"],
}


def step_url(step: str) -> str:
    return reverse("onboarding_step", kwargs={"step": step})


def skip_url(step: str) -> str:
    return reverse("onboarding_skip", kwargs={"step": step})


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator)
    return client


@pytest.fixture
def brand_client(client, brand):
    client.force_login(brand)
    return client


def jpeg(size=(900, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="JPEG")
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- Wizard: GET -------------------------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(step_url("personal"))

    assert response.status_code == 302 and reverse("account_login") in response.url


def test_a_step_page_shows_its_form_progress_and_skip(creator_client):
    response = creator_client.get(step_url("personal"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="display_name"' in html and 'type="date"' in html
    assert 'class="chip-list"' in html and 'value="ml"' in html
    assert 'class="progress-bar" style="width:0%"' in html
    assert html.count('<li class="step') == 4 and '<li class="step current"' in html
    assert f'formaction="{skip_url("personal")}"' in html
    assert "Back</a>" not in html  # nothing before the first step


def test_a_later_step_links_back_to_the_previous_one(creator_client):
    html = creator_client.get(step_url("social")).content.decode()

    assert f'href="{step_url("categories")}">Back</a>' in html
    assert 'name="instagram_handle"' in html and 'name="youtube_followers"' in html


def test_a_step_of_another_role_is_404(creator_client):
    assert creator_client.get(step_url("company")).status_code == 404
    assert creator_client.get(step_url("nonsense")).status_code == 404


def test_agents_have_no_wizard(client, agent):
    client.force_login(agent)

    assert client.get(step_url("personal")).status_code == 404


def test_resume_goes_to_the_next_open_step(creator_client, creator):
    User.objects.filter(pk=creator.pk).update(onboarding_state={"personal": "completed"}, onboarding_step="categories")

    response = creator_client.get(reverse("onboarding"))

    assert response.status_code == 302 and response.url == step_url("categories")


# --- Wizard: POST ----------------------------------------------------------------------------------------------------
def test_saving_a_step_stores_it_and_goes_to_the_next(creator_client, creator):
    response = creator_client.post(step_url("personal"), PERSONAL)

    assert response.status_code == 302 and response.url == step_url("categories")
    profile = CreatorProfile.objects.get(user=creator)
    assert (profile.display_name, profile.country, profile.languages) == ("Asha Travels", "IN", ["en", "ml"])
    creator.refresh_from_db()
    assert creator.onboarding_state == {"personal": "completed"}


def test_going_back_shows_the_saved_values(creator_client):
    creator_client.post(step_url("personal"), PERSONAL)

    html = creator_client.get(step_url("personal")).content.decode()

    assert 'value="Asha Travels"' in html and 'value="1996-04-12"' in html
    assert '<option value="IN" selected>' in html
    assert 'value="ml" id="id_languages_' in html and html.count("checked") == 2
    assert 'class="progress-bar" style="width:25%"' in html


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"display_name": ""}, "display_name", "This field is required."),
        ({"date_of_birth": ""}, "date_of_birth", "This field is required."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "not-a-date"}, "date_of_birth", "wrong format"),
        ({"country": "XX"}, "country", "not a valid choice"),
        ({"languages": []}, "languages", "may not be empty"),
        ({"pincode": "!!"}, "pincode", "letters, digits"),
    ],
)
def test_bad_input_is_shown_on_the_field_and_nothing_is_saved(creator_client, creator, change, field, message):
    response = creator_client.post(step_url("personal"), {**PERSONAL, **change})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert 'class="field-error"' in response.content.decode()
    creator.refresh_from_db()
    assert creator.onboarding_state == {}


def test_a_thirteen_year_old_minus_a_day_is_refused(creator_client):
    too_young = years_ago(13, days=1)

    response = creator_client.post(step_url("personal"), {**PERSONAL, "date_of_birth": too_young})

    assert "at least 13" in response.context["form"].errors["date_of_birth"][0]


def test_niches_are_a_comma_separated_list(creator_client, creator):
    creator_client.post(step_url("categories"), {"content_categories": ["food"], "niches": "vegan, street food , ,"})

    assert CreatorProfile.objects.get(user=creator).niches == ["vegan", "street food"]


def test_a_niche_too_long_is_an_error_on_niches(creator_client):
    response = creator_client.post(step_url("categories"), {"content_categories": ["food"], "niches": "x" * 41})

    assert list(response.context["form"].errors) == ["niches"]


def test_social_handles_are_saved_per_platform(creator_client, creator):
    data = {"instagram_handle": "@asha", "instagram_followers": "1200", "tiktok_handle": "asha_t", "youtube_handle": ""}

    response = creator_client.post(step_url("social"), data)

    assert response.status_code == 302
    assert social_handles_of(creator_id=creator.pk) == [
        {"platform": "instagram", "handle": "asha", "followers": 1200},
        {"platform": "tiktok", "handle": "asha_t", "followers": None},
    ]
    html = creator_client.get(step_url("social")).content.decode()
    assert 'name="instagram_handle" value="asha"' in html and 'value="1200"' in html


def test_a_bad_handle_is_an_error_on_that_platforms_field(creator_client):
    data = {"instagram_handle": "fine", "youtube_handle": "not fine!", "youtube_followers": "-3"}

    form = creator_client.post(step_url("social"), data).context["form"]

    assert set(form.errors) == {"youtube_handle", "youtube_followers"}


def test_no_handle_at_all_is_a_form_error(creator_client):
    form = creator_client.post(step_url("social"), {}).context["form"]

    assert form.non_field_errors() and not any(name in form.errors for name in form.fields)


def test_a_reversed_rate_range_is_an_error_on_max_rate(creator_client):
    data = {"content_types": ["blog_post"], "min_rate": "500", "max_rate": "50", "currency": "EUR"}

    form = creator_client.post(step_url("rates"), data).context["form"]

    assert list(form.errors) == ["max_rate"]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"budget_min": "100", "budget_max": "50"}, "budget_max"),
        ({"audience_countries": ["GB", "Narnia"]}, "audience_countries"),
        ({"audience_age_min": "12"}, "audience_age_min"),
        ({"platforms": ["friendster"]}, "platforms"),
        ({"content_types": ["telegram"]}, "content_types"),
    ],
)
def test_brand_preferences_map_nested_errors_to_their_fields(brand_client, change, field):
    data = {"budget_min": "1", "budget_max": "2", **change}

    form = brand_client.post(step_url("preferences"), data).context["form"]

    assert list(form.errors) == [field]


def test_brand_preferences_are_saved_into_the_nested_objects(brand_client, brand):
    data = {
        "budget_min": "100", "budget_max": "900.50", "currency": "GBP",
        "audience_age_min": "18", "audience_age_max": "30",
        "audience_countries": ["GB", "IE"], "audience_languages": ["en"], "platforms": ["instagram"],
        "content_types": ["instagram_reel"],
    }

    brand_client.post(step_url("preferences"), data)

    profile = BrandProfile.objects.get(user=brand)
    assert (profile.budget_min, profile.budget_max) == (Decimal("100"), Decimal("900.50"))
    assert profile.target_audience == {"countries": ["GB", "IE"], "languages": ["en"], "age_min": 18, "age_max": 30}
    assert profile.preferences == {"platforms": ["instagram"], "content_types": ["instagram_reel"]}
    html = brand_client.get(step_url("preferences")).content.decode()
    assert '<option value="IE" selected>' in html


def test_an_inverted_audience_age_is_an_error_on_the_age_to_field(brand_client):
    data = {"budget_min": "1", "budget_max": "2", "audience_age_min": "40", "audience_age_max": "20"}

    form = brand_client.post(step_url("preferences"), data).context["form"]

    assert list(form.errors) == ["audience_age_max"]


# --- Wizard: skip and finish ------------------------------------------------------------------------------------------
def test_skip_marks_the_step_and_moves_on(creator_client, creator):
    response = creator_client.post(skip_url("personal"))

    assert response.status_code == 302 and response.url == step_url("categories")
    creator.refresh_from_db()
    assert creator.onboarding_state == {"personal": "skipped"}
    html = creator_client.get(step_url("categories")).content.decode()
    assert 'class="step skipped"' in html


def test_skip_needs_post(creator_client):
    assert creator_client.get(skip_url("personal")).status_code == 405


def test_skip_of_an_unknown_step_is_404(creator_client):
    assert creator_client.post(skip_url("goals")).status_code == 404


def test_the_last_step_leads_to_the_dashboard(brand_client, brand):
    brand_client.post(skip_url("company"))
    brand_client.post(step_url("goals"), {"marketing_goals": ["sales", "engagement"]})

    response = brand_client.post(step_url("preferences"), {"budget_min": "10", "budget_max": "20"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Your profile is set up." in response.content.decode()
    brand.refresh_from_db()
    assert brand.onboarding_completed and brand.onboarding_state == {
        "company": "skipped", "goals": "completed", "preferences": "completed"
    }


# --- Profile & settings page ------------------------------------------------------------------------------------------
def test_settings_page_shows_every_section(creator_client):
    response = creator_client.get(reverse("profile_settings"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="name"' in html and 'name="avatar"' in html and 'name="profile_public"' in html
    assert 'name="notify_orders_email"' in html and 'name="notify_marketing_in_app"' in html
    assert 'enctype="multipart/form-data"' in html


def test_settings_page_needs_login(client):
    assert client.get(reverse("profile_settings")).status_code == 302


def test_change_name_and_time_zone(creator_client, creator):
    response = creator_client.post(
        reverse("profile_settings"), {"form": "account", "name": "Asha K", "timezone": "Asia/Kolkata", "language": "en"}
    )

    assert response.status_code == 302
    creator.refresh_from_db()
    assert (creator.name, creator.timezone) == ("Asha K", "Asia/Kolkata")


def test_a_bad_time_zone_is_a_form_error(creator_client, creator):
    data = {"form": "account", "name": "X", "timezone": "Moon/Base"}

    response = creator_client.post(reverse("profile_settings"), data)

    assert response.status_code == 200
    assert response.context["account_form"].errors == {"timezone": ["Unknown time zone."]}
    creator.refresh_from_db()
    assert creator.name != "X"


def test_upload_an_avatar_from_the_page(creator_client, creator):
    response = creator_client.post(reverse("profile_settings"), {"form": "avatar", "avatar": jpeg()})

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.avatar.name.startswith("avatars/")
    assert creator.avatar.url in creator_client.get(reverse("profile_settings")).content.decode()


def test_a_text_file_named_png_is_a_form_error_on_the_avatar(creator_client, creator):
    fake = SimpleUploadedFile("cat.png", b"just words" * 100, content_type="image/png")

    response = creator_client.post(reverse("profile_settings"), {"form": "avatar", "avatar": fake})

    assert response.status_code == 200
    assert "not a JPEG, PNG, WEBP or GIF" in response.context["avatar_form"].errors["avatar"][0]
    assert 'class="field-error"' in response.content.decode()
    creator.refresh_from_db()
    assert not creator.avatar


def test_an_avatar_post_without_a_file_is_a_form_error(creator_client):
    response = creator_client.post(reverse("profile_settings"), {"form": "avatar"})

    assert response.status_code == 200 and "avatar" in response.context["avatar_form"].errors


def test_remove_the_avatar_from_the_page(creator_client, creator, django_capture_on_commit_callbacks):
    creator_client.post(reverse("profile_settings"), {"form": "avatar", "avatar": jpeg()})

    with django_capture_on_commit_callbacks(execute=True):
        response = creator_client.post(reverse("profile_settings"), {"form": "remove_avatar"})

    assert response.status_code == 302
    creator.refresh_from_db()
    assert not creator.avatar


def test_privacy_and_notifications_from_the_page(creator_client, creator):
    # given every box ticked except profile_public and order e-mails (unticked boxes are simply absent)
    data = {"form": "settings"}
    data.update({f"notify_{kind}_{channel}": "on" for kind in ("orders", "messages") for channel in ("push", "in_app")})
    data["notify_messages_email"] = "on"

    response = creator_client.post(reverse("profile_settings"), data)

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.profile_public is False
    assert creator.notification_preferences["orders"] == {"email": False, "push": True, "in_app": True}
    assert creator.notification_preferences["messages"] == {"email": True, "push": True, "in_app": True}
    assert creator.notification_preferences["reviews"] == {"email": False, "push": False, "in_app": False}
    html = creator_client.get(reverse("profile_settings")).content.decode()
    assert 'id="id_notify_messages_email" checked' in html
    assert 'id="id_notify_orders_email" checked' not in html


def test_an_unknown_form_is_refused_with_a_message(creator_client):
    response = creator_client.post(reverse("profile_settings"), {"form": "delete_everything"}, follow=True)

    assert "Unknown form." in response.content.decode()
