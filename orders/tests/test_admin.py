"""The console: orders read-only with their lines, timeline and versions; the dispute queue (open first), its
evidence and the resolve form through dispute_resolve."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AgentFactory, BrandUserFactory
from accounts.tests.test_admin import with_totp
from influmojo.permissions import Actor
from orders.models import Dispute, Order, OrderAttachment
from orders.services import disputes
from orders.tests.conftest import order_in

pytestmark = pytest.mark.django_db
S = Order.Status
QUEUE = reverse("admin:orders_dispute_changelist")


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory(email="helper@influmojo.test")))
    return client


def open_dispute(**fields) -> Dispute:
    order = order_in(S.DELIVERED, **fields)
    return disputes.order_dispute(order_id=order.pk, actor=Actor.of(order.brand), reason="not_as_described",
                                  description="We asked for a reel, this is a story")


def resolve(client, dispute, **data):
    return client.post(reverse("admin:orders_dispute_change", args=[dispute.pk]), data)


def test_the_queue_lists_open_disputes_first_oldest_first(agent_client):
    older, newer, resolved = open_dispute(), open_dispute(), open_dispute()
    Dispute.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    disputes.dispute_resolve(dispute_id=resolved.pk, actor=Actor.of(AgentFactory()), resolution="release",
                             note="Fine")

    page = agent_client.get(QUEUE)

    assert page.status_code == 200
    assert [d.pk for d in page.context["cl"].result_list] == [older.pk, newer.pk, resolved.pk]
    assert [d.pk for d in agent_client.get(QUEUE, {"state": "open"}).context["cl"].result_list] == [older.pk,
                                                                                                     newer.pk]


def test_a_dispute_shows_the_orders_evidence(agent_client):
    dispute = open_dispute()
    order = dispute.order
    OrderAttachment.objects.create(order=order, file=SimpleUploadedFile("brief.pdf", b"%PDF-1.4"), name="brief.pdf",
                                   size=8, content_type="application/pdf", uploaded_by=order.brand)

    html = agent_client.get(reverse("admin:orders_dispute_change", args=[dispute.pk])).content.decode()

    for evidence in (order.number, order.requirements, "brief.pdf", "https://instagram.com/p/1", "Here it is",
                     "We asked for a reel, this is a story", "delivered → disputed"):
        assert evidence in html
    assert 'name="resolve_as"' in html and 'name="split_refund"' in html


@pytest.mark.parametrize("data,status,refund", [
    ({"resolve_as": "refund"}, S.REFUNDED, Decimal("500.00")),
    ({"resolve_as": "release"}, S.COMPLETED, Decimal("0.00")),
    ({"resolve_as": "split", "split_refund": "200.00"}, S.COMPLETED, Decimal("200.00")),
])
def test_an_agent_resolves_through_the_form(agent_client, payments, data, status, refund):
    dispute = open_dispute()

    response = resolve(agent_client, dispute, note="Checked both versions", **data)

    assert response.status_code == 302 and response.url == QUEUE
    dispute.refresh_from_db()
    assert dispute.status == "resolved" and dispute.refund_amount == refund
    assert dispute.resolved_by.email == "helper@influmojo.test" and dispute.resolution_note == "Checked both versions"
    assert Order.objects.get(pk=dispute.order_id).status == status
    assert payments.settled == [(dispute.order_id, refund, f"dispute resolved: {data['resolve_as']}", "agent")]


@pytest.mark.parametrize("data", [
    {"resolve_as": "split", "split_refund": "0"},
    {"resolve_as": "split", "split_refund": "500.00"},  # everything held: that is a refund
    {"resolve_as": "split", "split_refund": "-3"},
    {"resolve_as": "split"},
    {"resolve_as": "refund", "split_refund": "10"},
    {"resolve_as": ""},
    {"resolve_as": "refund", "note": ""},
])
def test_a_bad_resolution_is_refused_by_the_form(agent_client, payments, data):
    dispute = open_dispute()

    response = resolve(agent_client, dispute, **{"note": "Why", **data})

    assert response.status_code == 200 and response.context["adminform"].form.errors
    dispute.refresh_from_db()
    assert dispute.status == "open" and payments.settled == []


def test_a_resolved_dispute_is_read_only(agent_client, payments):
    dispute = open_dispute()
    resolve(agent_client, dispute, resolve_as="release", note="Ok")

    page = agent_client.get(reverse("admin:orders_dispute_change", args=[dispute.pk])).content.decode()
    again = resolve(agent_client, dispute, resolve_as="refund", note="Changed my mind")

    assert 'name="resolve_as"' not in page and again.status_code == 403
    assert len(payments.settled) == 1


def test_the_resolve_action_opens_the_form_of_one_dispute(agent_client):
    first, second = open_dispute(), open_dispute()

    one = agent_client.post(QUEUE, {"action": "resolve_dispute", "_selected_action": [first.pk]})
    both = agent_client.post(QUEUE, {"action": "resolve_dispute", "_selected_action": [first.pk, second.pk]})

    assert one.url == reverse("admin:orders_dispute_change", args=[first.pk])
    assert "Select one dispute" in [str(m) for m in get_messages(both.wsgi_request)][0]


def test_an_order_is_read_only_with_its_lines_timeline_and_versions(agent_client):
    order = order_in(S.DELIVERED)

    page = agent_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    html = page.content.decode()

    assert page.status_code == 200 and order.items.get().title in html and "https://instagram.com/p/1" in html
    assert 'name="status"' not in html
    assert agent_client.post(reverse("admin:orders_order_change", args=[order.pk]), {}).status_code == 403
    search = agent_client.get(reverse("admin:orders_order_changelist"), {"q": order.number})
    assert list(search.context["cl"].result_list) == [order]


def test_brands_and_creators_do_not_reach_the_console(client):
    client.force_login(BrandUserFactory())
    assert client.get(QUEUE).status_code == 302
