"""The brand's shortlist pages (/brand/shortlists/…) and the read-only console pages for agents."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import AgentFactory, BrandUserFactory
from accounts.tests.test_admin import with_totp
from brands.models import Shortlist, ShortlistItem
from brands.services import shortlists as services
from brands.tests.factories import CreatorCardFactory, ShortlistFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("brand_shortlists")


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def brand_client(client, brand):
    client.force_login(brand)
    return client


@pytest.fixture
def filled(brand):
    """A named list with two creators, one saved with a note."""
    shortlist = services.shortlist_create(brand=brand, name="Tech reviewers")
    first = CreatorCardFactory(display_name="Sarah Johnson", slug="sarah-j", followers=123_456)
    second = CreatorCardFactory(display_name="Tom Lee", slug="tom-lee", min_price=None)
    for card in (first, second):
        services.creator_save(brand=brand, creator_id=card.pk, shortlist_id=shortlist.pk)
    services.shortlist_item_note_set(brand=brand, shortlist_id=shortlist.pk, creator_id=first.pk, note="Great demos")
    return shortlist, first, second


# --- Access ---------------------------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_log_in(client, filled):
    shortlist, card, _ = filled
    for page in (INDEX, url("brand_shortlist", shortlist.pk), url("brand_shortlist_export", shortlist.pk)):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), page


def test_other_roles_get_403(client, creator, filled):
    shortlist, _, _ = filled
    for user in (creator, AgentFactory()):
        client.force_login(user)
        assert client.get(INDEX).status_code == 403
        assert client.get(url("brand_shortlist", shortlist.pk)).status_code == 403
        assert client.post(INDEX, {"name": "Mine"}).status_code == 403

    assert Shortlist.objects.count() == 1


def test_another_brands_list_is_404_everywhere(client, filled):
    shortlist, card, _ = filled
    client.force_login(BrandUserFactory())

    responses = [
        client.get(url("brand_shortlist", shortlist.pk)),
        client.get(url("brand_shortlist_export", shortlist.pk)),
        client.get(url("brand_shortlist_delete", shortlist.pk)),
        client.post(url("brand_shortlist_delete", shortlist.pk)),
        client.post(url("brand_shortlist_rename", shortlist.pk), {"name": "Mine"}),
        client.post(url("brand_shortlist_note", shortlist.pk, card.pk), {"note": "mine"}),
        client.post(url("brand_shortlist_remove", shortlist.pk, card.pk)),
    ]

    assert [response.status_code for response in responses] == [404] * len(responses)
    assert Shortlist.objects.get(pk=shortlist.pk).name == "Tech reviewers"
    assert ShortlistItem.objects.filter(shortlist=shortlist).count() == 2
    assert ShortlistItem.objects.get(shortlist=shortlist, creator_id=card.pk).note == "Great demos"


# --- Lists page -------------------------------------------------------------------------------------------------
def test_the_lists_page_shows_each_list_with_its_count(brand_client, brand, filled, django_assert_max_num_queries):
    services.creator_save(brand=brand, creator_id=filled[1].pk)
    ShortlistFactory(name="Another brand's list")

    with django_assert_max_num_queries(8):
        response = brand_client.get(INDEX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tech reviewers" in page and "2 creators" in page
    assert "Saved" in page and "1 creator ·" in page and "Default" in page
    assert "Another brand" not in page
    assert url("brand_shortlist_delete", filled[0].pk) in page


def test_the_lists_page_has_an_empty_state(brand_client):
    page = brand_client.get(INDEX).content.decode()

    assert "No lists yet" in page


def test_create_a_list(brand_client, brand):
    response = brand_client.post(INDEX, {"name": "  Spring launch "})

    assert response.status_code == 302 and response["Location"] == INDEX
    assert Shortlist.objects.get(brand=brand).name == "Spring launch"
    assert flashed(response) == ["List “Spring launch” created. Save creators into it from Discover."]


@pytest.mark.parametrize(
    "name, message",
    [("", "Give the list a name."), ("Tech reviewers", "You already have a list called “Tech reviewers”."),
     ("x" * 101, "Use at most 100 characters."), ("saved", "“Saved” is the name of your default list; choose another.")],
)
def test_a_refused_name_is_shown_on_the_page(brand_client, filled, name, message):
    response = brand_client.post(INDEX, {"name": name})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'aria-invalid="true"' in page
    assert Shortlist.objects.count() == 1


def test_rename_a_list_and_a_refused_rename_stays_on_the_page(brand_client, brand, filled):
    shortlist = filled[0]
    services.shortlist_create(brand=brand, name="Food")

    refused = brand_client.post(url("brand_shortlist_rename", shortlist.pk), {"name": "food"})
    assert refused.status_code == 200
    assert "You already have a list called “food”." in refused.content.decode()
    assert 'class="sl-rename open"' in refused.content.decode()

    done = brand_client.post(url("brand_shortlist_rename", shortlist.pk), {"name": "Gadget reviewers"})
    assert done.status_code == 302
    assert Shortlist.objects.get(pk=shortlist.pk).name == "Gadget reviewers"


def test_the_default_list_cannot_be_renamed_or_deleted_from_the_page(brand_client, brand, filled):
    item, _ = services.creator_save(brand=brand, creator_id=filled[1].pk)
    default = item.shortlist

    renamed = brand_client.post(url("brand_shortlist_rename", default.pk), {"name": "Faves"}, follow=True)
    deleted = brand_client.post(url("brand_shortlist_delete", default.pk), follow=True)

    assert "“Saved” is your default list and keeps its name." in renamed.content.decode()
    assert "“Saved” is your default list and cannot be deleted." in deleted.content.decode()
    assert Shortlist.objects.get(pk=default.pk).name == "Saved"


def test_delete_asks_first_then_deletes(brand_client, filled):
    shortlist = filled[0]

    confirm = brand_client.get(url("brand_shortlist_delete", shortlist.pk))
    assert confirm.status_code == 200 and "Delete this list?" in confirm.content.decode()
    assert Shortlist.objects.filter(pk=shortlist.pk).exists()

    done = brand_client.post(url("brand_shortlist_delete", shortlist.pk))
    assert done.status_code == 302 and done["Location"] == INDEX
    assert not Shortlist.objects.filter(pk=shortlist.pk).exists()
    assert not ShortlistItem.objects.exists()


# --- One list ------------------------------------------------------------------------------------------------------
def test_a_list_page_shows_its_creators(brand_client, filled, django_assert_max_num_queries):
    shortlist, first, second = filled

    with django_assert_max_num_queries(8):
        response = brand_client.get(url("brand_shortlist", shortlist.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/p/sarah-j/"' in page and 'href="/p/tom-lee/"' in page
    assert "<strong>123K</strong> followers" in page and "Great demos" in page and "from <strong>$300" in page
    assert url("brand_shortlist_export", shortlist.pk) in page


def test_a_creator_who_left_discovery_has_no_link(brand_client, filled):
    shortlist, first, _ = filled
    first.listed = False
    first.save()

    page = brand_client.get(url("brand_shortlist", shortlist.pk)).content.decode()

    assert 'href="/p/sarah-j/"' not in page and "No longer listed" in page


def test_edit_a_note(brand_client, filled):
    shortlist, first, second = filled

    note = url("brand_shortlist_note", shortlist.pk, second.pk)

    response = brand_client.post(note, {"note": " Ask for rates ", "page": "1"})

    assert response.status_code == 302 and response["Location"] == url("brand_shortlist", shortlist.pk) + "?page=1"
    assert ShortlistItem.objects.get(shortlist=shortlist, creator_id=second.pk).note == "Ask for rates"


def test_a_refused_note_stays_on_the_page_with_what_was_typed(brand_client, filled):
    shortlist, first, _ = filled

    response = brand_client.post(url("brand_shortlist_note", shortlist.pk, first.pk), {"note": "y" * 2001})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Use at most 2000 characters." in page and "y" * 2001 in page
    assert ShortlistItem.objects.get(shortlist=shortlist, creator_id=first.pk).note == "Great demos"


def test_remove_a_creator(brand_client, brand, filled):
    shortlist, first, second = filled
    services.creator_save(brand=brand, creator_id=first.pk)  # also in "Saved": stays there

    response = brand_client.post(url("brand_shortlist_remove", shortlist.pk, first.pk))

    assert response.status_code == 302
    assert flashed(response) == ["Sarah Johnson removed from the list."]
    assert list(ShortlistItem.objects.filter(creator_id=first.pk).values_list("shortlist__name", flat=True)) == [
        "Saved"
    ]


def test_export_from_the_page(brand_client, filled):
    response = brand_client.get(url("brand_shortlist_export", filled[0].pk))

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "Sarah Johnson" in response.content.decode("utf-8-sig")


# --- Console -------------------------------------------------------------------------------------------------------
def test_agents_see_lists_in_the_console_read_only(client, filled):
    shortlist, first, _ = filled
    client.force_login(with_totp(AgentFactory()))

    changelist = client.get(reverse("admin:brands_shortlist_changelist"))
    change = client.get(reverse("admin:brands_shortlist_change", args=[shortlist.pk]))

    assert changelist.status_code == 200 and "Tech reviewers" in changelist.content.decode()
    assert change.status_code == 200 and "Great demos" in change.content.decode()
    assert 'name="name"' not in change.content.decode()  # nothing editable
    delete = client.post(reverse("admin:brands_shortlist_delete", args=[shortlist.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Shortlist.objects.filter(pk=shortlist.pk).exists()


def test_brands_have_no_console(client, brand, filled):
    client.force_login(brand)

    response = client.get(reverse("admin:brands_shortlist_changelist"))

    assert response.status_code == 302
