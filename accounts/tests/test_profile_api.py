"""/api/v1/profile/me, /profile/avatar and /profile/settings."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts import preferences, services
from accounts.models import BrandProfile, CreatorProfile, User
from accounts.tests.test_images import png_header_claiming
from creators.selectors.social import social_handles_of

pytestmark = pytest.mark.django_db

ME, AVATAR, SETTINGS = "/api/v1/profile/me", "/api/v1/profile/avatar", "/api/v1/profile/settings"
MB = 1024 * 1024


def image_file(fmt="JPEG", size=(1600, 1200), name="me.jpg", exif=None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (10, 150, 90)).save(buffer, format=fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def raw_file(data: bytes, name="me.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def fresh(user: User) -> User:
    """The user as the next request would load it (force_authenticate reuses the object it is given)."""
    return User.objects.get(pk=user.pk)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- GET /profile/me ----------------------------------------------------------------------------------------
def test_me_shows_the_account_and_the_creator_profile(auth_client, creator):
    CreatorProfile.objects.filter(user=creator).update(city="Pune", languages=["en"], min_rate=Decimal("10.00"))

    body = auth_client(fresh(creator)).get(ME).json()

    assert body["email"] == creator.email and body["user_type"] == "creator" and body["status"] == "active"
    assert body["avatar"] is None and body["profile_public"] is True
    assert body["onboarding"]["flow"] == "creator"
    assert body["profile"]["city"] == "Pune" and body["profile"]["min_rate"] == "10.00"
    assert body["profile"]["slug"] == creator.creator_profile.slug
    assert body["profile"]["social_handles"] == []


def test_me_shows_the_brand_profile(auth_client, brand):
    BrandProfile.objects.filter(user=brand).update(company_name="Chai Co.", target_audience={})

    body = auth_client(fresh(brand)).get(ME).json()

    assert body["profile"]["company_name"] == "Chai Co."
    assert body["profile"]["target_audience"] == {"countries": [], "languages": [], "age_min": None, "age_max": None}


def test_an_agent_has_no_role_profile_and_no_onboarding(auth_client, agent):
    body = auth_client(agent).get(ME).json()

    assert "profile" not in body and body["onboarding"] is None


def test_an_agent_patches_their_name_and_a_profile_key_is_ignored(auth_client, agent):
    response = auth_client(agent).patch(ME, {"first_name": "Sam", "profile": {"bio": "x"}}, format="json")

    assert response.status_code == 200 and response.json()["first_name"] == "Sam"
    assert not CreatorProfile.objects.filter(user=agent).exists()


@pytest.mark.parametrize("method,path", [("get", ME), ("patch", ME), ("post", AVATAR), ("delete", AVATAR),
                                         ("get", SETTINGS), ("patch", SETTINGS)])
def test_anonymous_callers_get_401(api_client, method, path):
    assert error_of(getattr(api_client, method)(path), 401)["code"] == "not_authenticated"


# --- PATCH /profile/me ------------------------------------------------------------------------------------------
def test_patch_changes_own_fields_and_the_nested_profile(auth_client, creator):
    payload = {
        "name": "Asha K",
        "timezone": "Asia/Kolkata",
        "language": "hi",
        "profile": {"bio": "New bio", "country": "np", "social_handles": [{"platform": "tiktok", "handle": "@asha"}]},
    }

    response = auth_client(creator).patch(ME, payload, format="json")

    assert response.status_code == 200, response.content
    creator.refresh_from_db()
    profile = CreatorProfile.objects.get(user=creator)
    assert (creator.name, creator.timezone, creator.language) == ("Asha K", "Asia/Kolkata", "hi")
    assert (profile.bio, profile.country) == ("New bio", "NP")
    assert social_handles_of(creator_id=creator.pk) == [{"platform": "tiktok", "handle": "asha", "followers": None}]
    assert response.json()["profile"]["social_handles"] == [{"platform": "tiktok", "handle": "asha", "followers": None}]
    assert response.json()["profile"]["bio"] == "New bio"


def test_patch_leaves_fields_it_does_not_name_alone(auth_client, creator):
    CreatorProfile.objects.filter(user=creator).update(city="Pune", content_categories=["music"])

    auth_client(creator).patch(ME, {"profile": {"city": "Goa"}}, format="json")

    profile = CreatorProfile.objects.get(user=creator)
    assert profile.city == "Goa" and profile.content_categories == ["music"]


def test_read_only_fields_are_ignored(auth_client, creator):
    # given a creator who tries to change what only the system or staff may change
    slug = creator.creator_profile.slug
    payload = {
        "email": "new@example.com",
        "phone": "+15550001111",
        "user_type": "brand",
        "status": "suspended",
        "email_verified": False,
        "profile_public": False,
        "onboarding": {"completed": True},
        "profile": {"verified": True, "featured": True, "rating": "5.00", "slug": "stolen"},
    }

    response = auth_client(creator).patch(ME, payload, format="json")

    # then the request succeeds and none of it is written
    assert response.status_code == 200
    creator.refresh_from_db()
    profile = CreatorProfile.objects.get(user=creator)
    assert (creator.email, creator.phone, creator.user_type, creator.status) == (
        creator.email, None, "creator", "active"
    )
    assert creator.email != "new@example.com" and creator.email_verified and creator.profile_public
    assert not creator.onboarding_completed
    assert (profile.verified, profile.featured, profile.rating, profile.slug) == (False, False, Decimal("0"), slug)


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"language": "tlh"}, "language"),
        ({"name": "x" * 151}, "name"),
        ({"profile": {"date_of_birth": "2099-01-01"}}, "profile"),
        ({"profile": {"content_categories": []}}, "profile"),
        ({"profile": {"social_handles": [{"platform": "youtube", "handle": "a b"}]}}, "profile"),
    ],
)
def test_patch_bad_input_is_a_400_envelope(auth_client, creator, payload, field):
    error = error_of(auth_client(creator).patch(ME, payload, format="json"), 400)

    assert error["code"] == "validation_error"
    assert list(error["details"]) == [field]


def test_a_partial_rate_change_is_checked_against_the_stored_rate(auth_client, creator):
    # given stored rates 100–200
    CreatorProfile.objects.filter(user=creator).update(min_rate=Decimal("100"), max_rate=Decimal("200"))
    client = auth_client(fresh(creator))

    # when only the maximum is lowered below the stored minimum
    error = error_of(client.patch(ME, {"profile": {"max_rate": "50"}}, format="json"), 400)

    # then it is refused on max_rate; raising it is fine
    assert list(error["details"]["profile"]) == ["max_rate"]
    assert client.patch(ME, {"profile": {"max_rate": "250"}}, format="json").status_code == 200
    assert CreatorProfile.objects.get(user=creator).max_rate == Decimal("250")


def test_a_brand_patches_its_company_with_the_company_rules(auth_client, brand):
    client = auth_client(brand)

    ok = client.patch(ME, {"profile": {"company_name": "Acme", "website": "acme.example"}}, format="json")
    bad = client.patch(ME, {"profile": {"budget_min": "10", "budget_max": "5"}}, format="json")

    assert ok.status_code == 200
    assert BrandProfile.objects.get(user=brand).website == "https://acme.example"
    assert list(error_of(bad, 400)["details"]["profile"]) == ["budget_max"]


def test_a_partial_audience_change_keeps_the_rest_of_the_audience(auth_client, brand):
    # given a stored audience
    audience = {"countries": ["GB"], "languages": ["en"], "age_min": 18, "age_max": 30}
    BrandProfile.objects.filter(user=brand).update(target_audience=audience)
    client = auth_client(fresh(brand))

    # when only the lower age is sent, first above the stored upper age, then below it
    refused = client.patch(ME, {"profile": {"target_audience": {"age_min": 40}}}, format="json")
    accepted = client.patch(ME, {"profile": {"target_audience": {"age_min": 21}}}, format="json")

    # then the range is checked against what is stored, and the other keys are kept
    assert list(error_of(refused, 400)["details"]["profile"]["target_audience"]) == ["age_max"]
    assert accepted.status_code == 200
    assert BrandProfile.objects.get(user=brand).target_audience == {**audience, "age_min": 21}


def test_a_creator_cannot_write_brand_fields_through_profile(auth_client, creator):
    auth_client(creator).patch(ME, {"profile": {"company_name": "Nope", "marketing_goals": ["sales"]}}, format="json")

    assert not BrandProfile.objects.filter(user=creator).exists()


# --- Settings ------------------------------------------------------------------------------------------------------
def test_settings_show_defaults_for_every_type_and_channel(auth_client, creator):
    body = auth_client(creator).get(SETTINGS).json()

    assert body["profile_public"] is True
    assert set(body["notification_preferences"]) == set(preferences.NOTIFICATION_TYPES)
    assert body["notification_preferences"]["orders"] == {"email": True, "push": True, "in_app": True}
    assert body["notification_preferences"]["marketing"] == {"email": False, "push": False, "in_app": True}


def test_patch_settings_changes_only_the_pairs_sent(auth_client, creator):
    client = auth_client(creator)
    client.patch(SETTINGS, {"notification_preferences": {"orders": {"email": False}}}, format="json")

    response = client.patch(SETTINGS, {"notification_preferences": {"marketing": {"push": True}}}, format="json")

    matrix = response.json()["notification_preferences"]
    assert matrix["orders"] == {"email": False, "push": True, "in_app": True}
    assert matrix["marketing"] == {"email": False, "push": True, "in_app": True}
    creator.refresh_from_db()
    assert preferences.notification_preferences(creator) == matrix


def test_going_private_and_back(auth_client, creator):
    client = auth_client(creator)

    assert client.patch(SETTINGS, {"profile_public": False}, format="json").json()["profile_public"] is False
    creator.refresh_from_db()
    assert creator.profile_public is False

    client.patch(SETTINGS, {"profile_public": True}, format="json")
    creator.refresh_from_db()
    assert creator.profile_public is True


def test_a_brand_can_go_private(auth_client, brand):
    auth_client(brand).patch(SETTINGS, {"profile_public": False}, format="json")

    brand.refresh_from_db()
    assert brand.profile_public is False


@pytest.mark.parametrize(
    "payload,path",
    [
        ({"notification_preferences": {"horoscope": {"email": True}}}, ["notification_preferences", "horoscope"]),
        ({"notification_preferences": {"orders": {"fax": True}}}, ["notification_preferences", "orders", "fax"]),
        ({"notification_preferences": {"orders": {"email": "maybe"}}}, ["notification_preferences", "orders", "email"]),
        ({"notification_preferences": {"orders": True}}, ["notification_preferences", "orders"]),
        ({"notification_preferences": ["orders"]}, ["notification_preferences"]),
        ({"profile_public": "perhaps"}, ["profile_public"]),
    ],
)
def test_bad_settings_are_a_400_envelope_naming_the_key(auth_client, creator, payload, path):
    error = error_of(auth_client(creator).patch(SETTINGS, payload, format="json"), 400)

    details = error["details"]
    for key in path:
        assert key in details, details
        details = details[key]
    creator.refresh_from_db()
    assert creator.notification_preferences == {}


# --- Avatar ---------------------------------------------------------------------------------------------------------
def test_upload_a_jpeg_avatar_stores_a_small_reencoded_copy(auth_client, creator):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"

    response = auth_client(creator).post(AVATAR, {"avatar": image_file(exif=exif)}, format="multipart")

    assert response.status_code == 200, response.content
    creator.refresh_from_db()
    assert response.json()["avatar"].endswith(creator.avatar.url)
    with default_storage.open(creator.avatar.name) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and max(image.size) == 512
    assert b"SpyCam" not in data and dict(image.getexif()) == {}


def test_upload_a_png_avatar(auth_client, brand):
    response = auth_client(brand).post(AVATAR, {"avatar": image_file("PNG", (300, 300), "me.png")}, format="multipart")

    assert response.status_code == 200
    brand.refresh_from_db()
    assert brand.avatar.name.startswith("avatars/") and brand.avatar.name.endswith(".jpg")


def test_an_animated_gif_becomes_a_still_avatar(auth_client, creator):
    frames = [Image.new("RGB", (64, 64), color) for color in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])

    response = auth_client(creator).post(AVATAR, {"avatar": raw_file(buffer.getvalue(), "me.gif")}, format="multipart")

    assert response.status_code == 200
    creator.refresh_from_db()
    with default_storage.open(creator.avatar.name) as stored:
        assert Image.open(stored).format == "JPEG"


def _truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 64).save(buffer, format="PNG")
    return buffer.getvalue()[:4000]


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="BMP")
    return buffer.getvalue()


def _over_40_megapixels() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8000, 5001)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make,name,message",
    [
        (lambda: b"\x89PNG" + b"\x00" * (5 * MB), "big.png", "5 MB"),
        (lambda: b"I am a text file.\n" * 50, "notes.png", "not a JPEG, PNG, WEBP or GIF"),
        (_truncated_png, "cut.png", "damaged or incomplete"),
        (lambda: png_header_claiming(20_000, 20_000), "bomb.png", "too large to process"),
        (_over_40_megapixels, "huge.png", "40 megapixels"),
        (_bmp, "old.bmp", "not a JPEG, PNG, WEBP or GIF"),
    ],
    ids=["over-5-MB", "text-named-png", "truncated", "decompression-bomb", "over-40-MP", "bmp"],
)
def test_bad_avatars_are_refused_with_invalid_image(auth_client, creator, make, name, message):
    response = auth_client(creator).post(AVATAR, {"avatar": raw_file(make(), name)}, format="multipart")

    error = error_of(response, 400)
    assert error["code"] == "invalid_image"
    assert message in error["message"]
    creator.refresh_from_db()
    assert not creator.avatar


def test_an_avatar_post_without_a_file_is_a_validation_error(auth_client, creator):
    error = error_of(auth_client(creator).post(AVATAR, {}, format="multipart"), 400)

    assert error["code"] == "validation_error" and "avatar" in error["details"]


def test_replacing_an_avatar_deletes_the_old_file_after_commit(
    auth_client, creator, django_capture_on_commit_callbacks
):
    client = auth_client(creator)
    client.post(AVATAR, {"avatar": image_file()}, format="multipart")
    creator.refresh_from_db()
    old_name = creator.avatar.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(AVATAR, {"avatar": image_file("PNG", name="new.png")}, format="multipart")

    creator.refresh_from_db()
    assert len(callbacks) == 1
    assert creator.avatar.name != old_name
    assert not default_storage.exists(old_name)
    assert default_storage.exists(creator.avatar.name)


def test_the_old_file_survives_until_commit(creator, django_capture_on_commit_callbacks):
    services.user_set_avatar(user=creator, file=image_file())
    old_name = User.objects.get(pk=creator.pk).avatar.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.user_set_avatar(user=creator, file=image_file())

    assert default_storage.exists(old_name)
    callbacks[0]()
    assert not default_storage.exists(old_name)


def test_delete_avatar_clears_it_and_removes_the_file(auth_client, creator, django_capture_on_commit_callbacks):
    client = auth_client(creator)
    client.post(AVATAR, {"avatar": image_file()}, format="multipart")
    creator.refresh_from_db()
    name = creator.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(AVATAR)

    assert response.status_code == 204
    creator.refresh_from_db()
    assert not creator.avatar
    assert not default_storage.exists(name)
    assert client.get(ME).json()["avatar"] is None


def test_deleting_when_there_is_no_avatar_is_fine(auth_client, creator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client(creator).delete(AVATAR)

    assert response.status_code == 204 and callbacks == []
