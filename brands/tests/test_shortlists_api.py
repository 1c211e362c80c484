"""/api/v1/shortlists…: lists, save/unsave, notes, CSV export; roles, ownership, bad input, query counts."""

import csv
import io
from decimal import Decimal

import pytest

from accounts.tests.factories import BrandUserFactory
from brands.models import Shortlist, ShortlistItem
from brands.services import shortlists as services
from brands.tests.factories import CreatorCardFactory, ShortlistFactory, ShortlistItemFactory

pytestmark = pytest.mark.django_db

LISTS = "/api/v1/shortlists"


def detail(shortlist_id: int) -> str:
    return f"{LISTS}/{shortlist_id}"


def items(shortlist_id: int) -> str:
    return f"{LISTS}/{shortlist_id}/creators"


def save(creator_id: int) -> str:
    return f"{LISTS}/creators/{creator_id}"


def note(shortlist_id: int, creator_id: int) -> str:
    return f"{LISTS}/{shortlist_id}/creators/{creator_id}"


def export(shortlist_id: int) -> str:
    return f"{LISTS}/{shortlist_id}/export.csv"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def card():
    return CreatorCardFactory(display_name="Sarah Johnson", slug="sarah-j", followers=120_000)


@pytest.fixture
def named(brand):
    return services.shortlist_create(brand=brand, name="Tech")


# --- Roles ---------------------------------------------------------------------------------------------------
def every_route(shortlist_id: int, creator_id: int) -> list[tuple[str, str]]:
    return [
        ("get", LISTS), ("post", LISTS), ("get", detail(shortlist_id)), ("patch", detail(shortlist_id)),
        ("delete", detail(shortlist_id)), ("get", items(shortlist_id)), ("post", save(creator_id)),
        ("delete", save(creator_id)), ("patch", note(shortlist_id, creator_id)), ("get", export(shortlist_id)),
    ]


def test_anonymous_callers_get_401(api_client, named, card):
    for method, url in every_route(named.pk, card.pk):
        assert error_of(getattr(api_client, method)(url), 401)["code"] == "not_authenticated", url


def test_creators_and_agents_get_403(auth_client, creator, agent, named, card):
    for user in (creator, agent):
        client = auth_client(user)
        for method, url in every_route(named.pk, card.pk):
            assert error_of(getattr(client, method)(url, {"name": "x"}), 403)["code"] == "permission_denied", url

    assert Shortlist.objects.count() == 1 and not ShortlistItem.objects.exists()


def test_another_brands_list_and_items_are_404(auth_client, card):
    foreign = ShortlistFactory(name="Theirs")
    ShortlistItemFactory(shortlist=foreign, creator=card.creator, note="secret")
    client = auth_client(BrandUserFactory())

    responses = [
        client.get(detail(foreign.pk)),
        client.patch(detail(foreign.pk), {"name": "Mine"}),
        client.delete(detail(foreign.pk)),
        client.get(items(foreign.pk)),
        client.post(save(card.pk), {"shortlist_id": foreign.pk}),
        client.delete(save(card.pk) + f"?shortlist_id={foreign.pk}"),
        client.patch(note(foreign.pk, card.pk), {"note": "mine"}),
        client.get(export(foreign.pk)),
    ]

    assert [response.status_code for response in responses] == [404] * len(responses)
    assert all(response.json()["error"]["code"] == "not_found" for response in responses)
    assert Shortlist.objects.get(pk=foreign.pk).name == "Theirs"
    assert ShortlistItem.objects.get(shortlist=foreign).note == "secret"


# --- Lists ---------------------------------------------------------------------------------------------------
def test_create_rename_delete_a_list(auth_client, brand):
    client = auth_client(brand)

    created = client.post(LISTS, {"name": " Spring launch "})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["is_default"], body["creator_count"]) == ("Spring launch", False, 0)

    renamed = client.patch(detail(body["id"]), {"name": "Summer launch"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Summer launch"
    assert client.get(detail(body["id"])).json()["name"] == "Summer launch"

    assert client.delete(detail(body["id"])).status_code == 204
    assert error_of(client.get(detail(body["id"])), 404)["code"] == "not_found"


@pytest.mark.parametrize(
    "payload, field",
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"name": "Saved"}, "name")],
)
def test_bad_list_names_are_400(auth_client, brand, payload, field):
    error = error_of(auth_client(brand).post(LISTS, payload, format="json"), 400)

    assert field in error["details"]
    assert not Shortlist.objects.exists()


def test_a_taken_name_is_400(auth_client, brand, named):
    error = error_of(auth_client(brand).post(LISTS, {"name": "TECH"}), 400)

    assert error["code"] == "name_taken"
    assert error["details"] == {"name": ["You already have a list called “TECH”."]}


def test_the_default_list_is_409_to_rename_and_delete(auth_client, brand, card):
    client = auth_client(brand)
    default_id = client.post(save(card.pk)).json()["shortlist_id"]

    assert error_of(client.delete(detail(default_id)), 409)["code"] == "invalid_transition"
    assert error_of(client.patch(detail(default_id), {"name": "Faves"}), 409)["code"] == "invalid_transition"
    assert Shortlist.objects.get(pk=default_id).name == "Saved"


def test_the_list_shows_counts_default_first(auth_client, brand, named, card):
    client = auth_client(brand)
    client.post(save(card.pk))
    client.post(save(card.pk), {"shortlist_id": named.pk})
    client.post(save(CreatorCardFactory().pk), {"shortlist_id": named.pk})
    ShortlistFactory(name="Other brand")

    body = client.get(LISTS).json()

    assert body["total"] == 2
    assert [(row["name"], row["is_default"], row["creator_count"]) for row in body["results"]] == [
        ("Saved", True, 1), ("Tech", False, 2)
    ]


# --- Save, unsave, items ------------------------------------------------------------------------------------
def test_save_creates_the_default_list_then_answers_the_existing_item(auth_client, brand, card):
    client = auth_client(brand)

    first = client.post(save(card.pk))
    second = client.post(save(card.pk))

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    body = first.json()
    assert (body["creator_id"], body["name"], body["followers"], body["listed"]) == (
        card.pk, "Sarah Johnson", 120_000, True
    )
    assert body["profile_url"] == "http://testserver/p/sarah-j/"
    assert Shortlist.objects.get(pk=body["shortlist_id"]).is_default
    assert ShortlistItem.objects.count() == 1


def test_save_into_a_named_list_from_the_body_or_the_query(auth_client, brand, named, card):
    client = auth_client(brand)
    other = CreatorCardFactory()

    assert client.post(save(card.pk), {"shortlist_id": named.pk}).json()["shortlist_id"] == named.pk
    assert client.post(save(other.pk) + f"?shortlist_id={named.pk}").json()["shortlist_id"] == named.pk
    assert not Shortlist.objects.filter(is_default=True).exists()


@pytest.mark.parametrize("shortlist_id", ["abc", 0, -1, 2**63, True])
def test_a_bad_shortlist_id_is_400(auth_client, brand, card, shortlist_id):
    error = error_of(auth_client(brand).post(save(card.pk), {"shortlist_id": shortlist_id}, format="json"), 400)

    assert "shortlist_id" in error["details"]


def test_a_body_that_is_not_an_object_is_400(auth_client, brand, card):
    error_of(auth_client(brand).post(save(card.pk), [1, 2], format="json"), 400)


def test_an_unlisted_or_unknown_creator_cannot_be_saved(auth_client, brand):
    client = auth_client(brand)
    hidden = CreatorCardFactory(listed=False)

    assert error_of(client.post(save(hidden.pk)), 404)["code"] == "not_found"
    assert error_of(client.post(save(99_999_999)), 404)["code"] == "not_found"
    assert error_of(client.post(save(brand.pk)), 404)["code"] == "not_found"
    assert not ShortlistItem.objects.exists()


def test_unsave_from_one_list_or_everywhere(auth_client, brand, named, card):
    client = auth_client(brand)
    client.post(save(card.pk))
    client.post(save(card.pk), {"shortlist_id": named.pk})

    from_named = client.delete(save(card.pk) + f"?shortlist_id={named.pk}")
    assert from_named.json() == {"removed": 1, "saved": True}
    client.post(save(card.pk), {"shortlist_id": named.pk})

    everywhere = client.delete(save(card.pk))
    assert everywhere.json() == {"removed": 2, "saved": False}
    assert client.delete(save(card.pk)).json() == {"removed": 0, "saved": False}
    assert not ShortlistItem.objects.exists()


def test_items_of_a_list(auth_client, brand, named, card):
    client = auth_client(brand)
    card.engagement_rate, card.min_price, card.platforms = Decimal("4.2500"), Decimal("250.00"), ["instagram"]
    card.save()
    client.post(save(card.pk), {"shortlist_id": named.pk})

    body = client.get(items(named.pk)).json()

    assert body["total"] == 1
    (row,) = body["results"]
    assert (row["name"], row["slug"], row["followers"], row["engagement_rate"], row["min_price"]) == (
        "Sarah Johnson", "sarah-j", 120_000, "4.2500", "250.00"
    )
    assert (row["platforms"], row["country"], row["note"], row["currency"]) == (["instagram"], "US", "", "USD")


def test_a_note_per_creator_per_list(auth_client, brand, named, card):
    client = auth_client(brand)
    client.post(save(card.pk))
    client.post(save(card.pk), {"shortlist_id": named.pk})

    response = client.patch(note(named.pk, card.pk), {"note": "  Great unboxing videos "})

    assert response.status_code == 200 and response.json()["note"] == "Great unboxing videos"
    assert dict(ShortlistItem.objects.values_list("shortlist__name", "note")) == {
        "Saved": "", "Tech": "Great unboxing videos"
    }


def test_bad_notes_are_400_and_a_creator_not_in_the_list_is_404(auth_client, brand, named, card):
    client = auth_client(brand)
    client.post(save(card.pk), {"shortlist_id": named.pk})

    assert "note" in error_of(client.patch(note(named.pk, card.pk), {"note": "x" * 2001}), 400)["details"]
    assert "note" in error_of(client.patch(note(named.pk, card.pk), {}), 400)["details"]
    assert error_of(client.patch(note(named.pk, CreatorCardFactory().pk), {"note": "hi"}), 404)["code"] == "not_found"


# --- Query counts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [1, 25])
def test_the_lists_query_count_does_not_grow(auth_client, brand, django_assert_num_queries, rows):
    for index in range(rows):
        shortlist = ShortlistFactory(brand=brand, name=f"List {index}")
        ShortlistItemFactory.create_batch(2, shortlist=shortlist)
    client = auth_client(brand)

    with django_assert_num_queries(2):  # count, page
        response = client.get(LISTS, {"limit": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 25])
def test_the_items_query_count_does_not_grow(auth_client, brand, named, django_assert_num_queries, rows):
    for card in CreatorCardFactory.create_batch(rows):
        ShortlistItemFactory(shortlist=named, creator=card.creator, note="n")
    client = auth_client(brand)

    with django_assert_num_queries(3):  # list, count, page
        response = client.get(items(named.pk), {"limit": 100})

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 25])
def test_the_export_query_count_does_not_grow(auth_client, brand, named, django_assert_num_queries, rows):
    for card in CreatorCardFactory.create_batch(rows):
        ShortlistItemFactory(shortlist=named, creator=card.creator)
    client = auth_client(brand)

    with django_assert_num_queries(2):  # list, rows
        response = client.get(export(named.pk))

    assert response.content.decode("utf-8-sig").count("\r\n") == rows + 1


# --- CSV export ---------------------------------------------------------------------------------------------------
def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_is_a_csv_download(auth_client, brand, named):
    card = CreatorCardFactory(
        display_name="Zoë Müller", slug="zoe", platforms=["instagram", "youtube"], followers=120_000,
        engagement_rate=Decimal("4.2500"), min_price=Decimal("250.00"), currency="EUR", country="DE",
    )
    services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)
    services.shortlist_item_note_set(brand=brand, shortlist_id=named.pk, creator_id=card.pk, note="Loves, \"quotes\"")

    response = auth_client(brand).get(export(named.pk), HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="shortlist-tech-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response.content.startswith("\ufeff".encode())
    header, row = read_csv(response)
    assert header == [
        "Name", "Profile URL", "Platforms", "Followers", "Engagement rate (%)", "Price from", "Currency", "Country",
        "Note", "Added at",
    ]
    assert row[:9] == [
        "Zoë Müller", "http://testserver/p/zoe/", "instagram, youtube", "120000", "4.25", "250.00", "EUR", "DE",
        'Loves, "quotes"',
    ]
    assert row[9].endswith(" UTC")


def test_the_export_escapes_cells_that_look_like_formulas(auth_client, brand, named):
    names = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "Plain"]
    for name in names:
        card = CreatorCardFactory(display_name=name)
        services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=named.pk)
        services.shortlist_item_note_set(brand=brand, shortlist_id=named.pk, creator_id=card.pk, note=f"={name}")

    rows = read_csv(auth_client(brand).get(export(named.pk)))[1:]

    escaped = ["'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2+3", "'@SUM(A1)", "Plain"]
    assert sorted(row[0] for row in rows) == sorted(escaped)
    assert all(row[8].startswith("'=") for row in rows)


def test_the_export_file_name_falls_back_when_the_name_has_no_letters(auth_client, brand):
    shortlist = services.shortlist_create(brand=brand, name="★★★")

    response = auth_client(brand).get(export(shortlist.pk))

    assert f'filename="shortlist-{shortlist.pk}-' in response["Content-Disposition"]


def test_export_errors_answer_json(auth_client, brand):
    response = auth_client(brand).get(export(ShortlistFactory().pk), HTTP_ACCEPT="text/csv")

    assert response["Content-Type"] == "application/json"
    assert error_of(response, 404)["code"] == "not_found"
