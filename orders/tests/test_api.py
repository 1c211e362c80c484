"""The orders API: cart, checkout, orders and their moves, offers — 401 / 404 / 400 / 409, equal query
counts at 1 and 25 rows, and one whole order through the routes."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from creators.tests.factories import PackageFactory
from orders.models import CartItem, Order, OrderEvent
from orders.services import orders as order_services
from orders.tests.conftest import order_in
from orders.tests.factories import CustomOfferFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db
S = Order.Status


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def deadline(days=14) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    assert response.status_code == 200, response.content
    return len(captured)


# --- Anonymous -------------------------------------------------------------------------------------------------
ROUTES = [
    ("get", "/api/v1/cart"), ("post", "/api/v1/cart/items"), ("patch", "/api/v1/cart/items/1"),
    ("delete", "/api/v1/cart/items/1"), ("post", "/api/v1/cart/checkout"), ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/1"), ("get", "/api/v1/orders/1/events"), ("get", "/api/v1/orders/1/deliverables"),
    *[("post", f"/api/v1/orders/1/{move}") for move in (
        "accept", "decline", "extend", "deliver", "request-revision", "approve", "cancel", "cancel/withdraw",
        "dispute", "pay", "review")],
    ("get", "/api/v1/offers"), ("post", "/api/v1/offers"), ("get", "/api/v1/offers/1"),
    ("post", "/api/v1/offers/1/accept"), ("post", "/api/v1/offers/1/decline"), ("post", "/api/v1/offers/1/withdraw"),
]


@pytest.mark.parametrize("method,url", ROUTES)
def test_anonymous_callers_are_refused(api_client, method, url):
    assert error_of(getattr(api_client, method)(url), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize("url", ["/api/v1/cart", "/api/v1/cart/checkout"])
def test_the_cart_is_for_brands(auth_client, url):
    client = auth_client(CreatorUserFactory())
    response = client.get(url) if url.endswith("cart") else client.post(url, {})
    assert error_of(response, 403)["code"] == "permission_denied"


# --- Cart and checkout ----------------------------------------------------------------------------------------------
def test_the_cart_adds_changes_and_removes_lines(auth_client, brand, package):
    client = auth_client(brand)

    added = client.post("/api/v1/cart/items", {"package_id": package.pk, "quantity": 2})
    assert added.status_code == 201, added.content
    line = added.json()["lines"][0]
    assert (line["kind"], line["quantity"], line["line_total"], line["creator"]["id"]) == (
        "package", 2, "1000.00", package.creator_id)
    assert added.json()["totals"] == [{"currency": "USD", "subtotal": "1000.00", "platform_fee": "50.00",
                                       "creator_amount": "950.00", "lines": 1, "creators": 1}]

    changed = client.patch(f"/api/v1/cart/items/{line['id']}", {"quantity": 3})
    assert changed.json()["lines"][0]["quantity"] == 3
    assert client.delete(f"/api/v1/cart/items/{line['id']}").json()["lines"] == []


@pytest.mark.parametrize("body", [{}, {"package_id": "x"}, {"package_id": 1, "quantity": 0},
                                  {"package_id": 1, "quantity": 11}])
def test_bad_cart_input_is_400(auth_client, brand, body):
    assert error_of(auth_client(brand).post("/api/v1/cart/items", body, format="json"), 400)["code"] == \
        "validation_error"


def test_someone_elses_cart_line_is_404(auth_client, brand, package):
    item = CartItem.objects.create(brand=BrandUserFactory(), package=package)

    assert error_of(auth_client(brand).patch(f"/api/v1/cart/items/{item.pk}", {"quantity": 2}), 404)
    assert error_of(auth_client(brand).delete(f"/api/v1/cart/items/{item.pk}"), 404)


def test_the_cart_costs_the_same_queries_for_1_and_25_lines(auth_client, brand, django_assert_max_num_queries):
    client = auth_client(brand)
    CartItem.objects.create(brand=brand, package=PackageFactory())
    one = queries(lambda: client.get("/api/v1/cart"))
    for _ in range(24):
        CartItem.objects.create(brand=brand, package=PackageFactory())
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/cart").status_code == 200


def test_checkout_answers_the_orders_and_how_to_pay(auth_client, brand, payments):
    client = auth_client(brand)
    for package in (PackageFactory(), PackageFactory()):
        client.post("/api/v1/cart/items", {"package_id": package.pk})

    response = client.post("/api/v1/cart/checkout", {"requirements": "Unboxing, natural light",
                                                      "deadline": deadline(), "usage_rights": "brand_channels"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["orders"]) == 2 and {o["status"] for o in body["orders"]} == {"pending_payment"}
    payment = body["payment"]
    assert payment["client_secret"] and payment["gateway"] == "sandbox" and payment["amount"] == "1000.00"
    assert payment["confirm_url"] and body["payment_error"] is None


def test_checkout_takes_attachments_in_multipart(auth_client, brand, package):
    client = auth_client(brand)
    client.post("/api/v1/cart/items", {"package_id": package.pk})

    response = client.post("/api/v1/cart/checkout", {
        "requirements": "See the guide", "deadline": deadline(),
        "attachments": [SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%..."), SimpleUploadedFile("notes.txt", b"Hi")],
    }, format="multipart")

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert sorted(order.attachments.values_list("name", flat=True)) == ["guide.pdf", "notes.txt"]


@pytest.mark.parametrize("body,code", [
    ({"deadline": "soon"}, "validation_error"),
    ({"requirements": ""}, "validation_error"),
    ({"usage_rights": "forever"}, "validation_error"),
    ({"item_ids": []}, "validation_error"),
    ({"deadline": "2020-01-01T00:00:00Z"}, "deadline_too_soon"),
])
def test_bad_checkout_input_is_400(auth_client, brand, package, body, code):
    client = auth_client(brand)
    client.post("/api/v1/cart/items", {"package_id": package.pk})

    response = client.post("/api/v1/cart/checkout", {"requirements": "Brief", "deadline": deadline(), **body})

    assert error_of(response, 400)["code"] == code and not Order.objects.exists()


def test_a_fake_image_attachment_is_400(auth_client, brand, package):
    client = auth_client(brand)
    client.post("/api/v1/cart/items", {"package_id": package.pk})

    response = client.post("/api/v1/cart/checkout", {
        "requirements": "Brief", "deadline": deadline(),
        "attachments": [SimpleUploadedFile("logo.png", b"GIF89a-not-really", content_type="image/png")],
    }, format="multipart")

    error = error_of(response, 400)
    assert error["code"] == "invalid_file" and "attachments" in error["details"]


def test_mixed_currencies_are_400_with_the_currencies(auth_client, brand):
    client = auth_client(brand)
    for currency in ("USD", "INR"):
        client.post("/api/v1/cart/items", {"package_id": PackageFactory(currency=currency).pk})

    error = error_of(client.post("/api/v1/cart/checkout", {"requirements": "Brief", "deadline": deadline()}), 400)

    assert error["code"] == "mixed_currencies" and error["details"]["currencies"] == ["INR", "USD"]


# --- Orders: reading -------------------------------------------------------------------------------------------------
def test_each_side_lists_its_own_orders(auth_client, brand, creator):
    mine = order_in(S.PAID, brand=brand, creator=creator)
    unpaid = order_in(S.PENDING_PAYMENT, brand=brand, creator=creator)
    order_in(S.PAID)

    as_brand = auth_client(brand).get("/api/v1/orders").json()
    as_creator = auth_client(creator).get("/api/v1/orders").json()
    as_agent = auth_client(AgentFactory()).get("/api/v1/orders").json()

    assert {o["id"] for o in as_brand["results"]} == {mine.pk, unpaid.pk} and as_brand["total"] == 2
    assert [o["id"] for o in as_creator["results"]] == [mine.pk]  # unpaid orders are the brand's business
    assert as_agent["total"] == 3


def test_orders_filter_by_status_and_search(auth_client, brand):
    done = order_in(S.COMPLETED, brand=brand)
    active = order_in(S.IN_PROGRESS, brand=brand)
    client = auth_client(brand)

    assert [o["id"] for o in client.get("/api/v1/orders?status=finished").json()["results"]] == [done.pk]
    assert [o["id"] for o in client.get("/api/v1/orders?status=in_progress").json()["results"]] == [active.pk]
    assert [o["id"] for o in client.get(f"/api/v1/orders?q={done.number[-4:]}").json()["results"]] == [done.pk]
    title = active.items.get().title
    assert [o["id"] for o in client.get(f"/api/v1/orders?q={title}").json()["results"]] == [active.pk]
    assert error_of(client.get("/api/v1/orders?status=lost"), 400)["code"] == "validation_error"


def test_the_order_list_costs_the_same_queries_for_1_and_25_orders(auth_client, brand, django_assert_max_num_queries):
    client = auth_client(brand)
    order_in(S.PAID, brand=brand)
    one = queries(lambda: client.get("/api/v1/orders?limit=100"))
    for _ in range(24):
        order_in(S.PAID, brand=brand)
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/orders?limit=100").status_code == 200


def test_the_timeline_and_versions_cost_the_same_queries_for_1_and_25_rows(auth_client, brand,
                                                                     django_assert_max_num_queries):
    order = order_in(S.IN_PROGRESS, brand=brand, revisions_allowed=20)
    client = auth_client(brand)
    order_services.order_deliver(order_id=order.pk, actor=order_services.Actor.of(order.creator),
                                 links=["https://x.test/0"])
    events = queries(lambda: client.get(f"/api/v1/orders/{order.pk}/events?limit=100"))
    versions = queries(lambda: client.get(f"/api/v1/orders/{order.pk}/deliverables?limit=100"))
    detail = queries(lambda: client.get(f"/api/v1/orders/{order.pk}"))
    for n in range(1, 13):
        order_services.order_request_revision(order_id=order.pk, actor=order_services.Actor.of(brand), feedback="x")
        order_services.order_deliver(order_id=order.pk, actor=order_services.Actor.of(order.creator),
                                     links=[f"https://x.test/{n}"])
    assert order.deliverable.submissions.count() == 13 and order.events.count() >= 25
    with django_assert_max_num_queries(events):
        assert client.get(f"/api/v1/orders/{order.pk}/events?limit=100").status_code == 200
    with django_assert_max_num_queries(versions):
        assert client.get(f"/api/v1/orders/{order.pk}/deliverables?limit=100").status_code == 200
    with django_assert_max_num_queries(detail):
        assert client.get(f"/api/v1/orders/{order.pk}").status_code == 200


@pytest.mark.parametrize("suffix", ["", "/events", "/deliverables"])
def test_someone_elses_order_is_404(auth_client, suffix):
    order = order_in(S.PAID)

    for stranger in (BrandUserFactory(), CreatorUserFactory()):
        assert error_of(auth_client(stranger).get(f"/api/v1/orders/{order.pk}{suffix}"), 404)["code"] == "not_found"
    assert error_of(auth_client(order.brand).get(f"/api/v1/orders/99999999{suffix}"), 404)


def test_the_detail_tells_each_side_what_it_may_do(auth_client):
    order = order_in(S.PAID)

    brand_view = auth_client(order.brand).get(f"/api/v1/orders/{order.pk}").json()
    creator_view = auth_client(order.creator).get(f"/api/v1/orders/{order.pk}").json()

    assert brand_view["actions"] == ["cancel", "dispute"]
    assert creator_view["actions"] == ["accept", "decline", "extend", "dispute"]
    assert brand_view["requirements"] == order.requirements and brand_view["events"] == []
    assert brand_view["creator_amount"] == "475.00"


# --- Orders: moves -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("move,body", [
    ("accept", {}), ("decline", {}), ("extend", {}), ("deliver", {"links": ["https://x.test/1"]}),
    ("request-revision", {"feedback": "x"}), ("approve", {}), ("cancel", {}), ("cancel/withdraw", {}),
    ("dispute", {"reason": "quality", "description": "x"}),
])
def test_moves_on_someone_elses_order_are_404(auth_client, move, body):
    order = order_in(S.PAID)

    response = auth_client(BrandUserFactory()).post(f"/api/v1/orders/{order.pk}/{move}", body, format="json")

    assert error_of(response, 404)["code"] == "not_found"
    assert Order.objects.get(pk=order.pk).status == S.PAID


@pytest.mark.parametrize("status,side,move,body", [
    (S.PAID, "brand", "accept", {}),  # wrong side
    (S.PAID, "creator", "approve", {}),
    (S.IN_PROGRESS, "creator", "accept", {}),  # wrong state
    (S.COMPLETED, "brand", "dispute", {"reason": "quality", "description": "Late"}),
    (S.DELIVERED, "creator", "deliver", {"links": ["https://x.test/2"]}),
    (S.IN_PROGRESS, "brand", "cancel/withdraw", {}),
])
def test_moves_from_the_wrong_state_or_side_are_409(auth_client, status, side, move, body):
    order = order_in(status)

    response = auth_client(getattr(order, side)).post(f"/api/v1/orders/{order.pk}/{move}", body, format="json")

    assert error_of(response, 409)["code"] in ("invalid_transition", "no_cancellation_request")
    assert Order.objects.get(pk=order.pk).status == status


@pytest.mark.parametrize("move,body", [
    ("request-revision", {}), ("dispute", {"reason": "bored", "description": "x"}), ("dispute", {"reason": "quality"}),
    ("deliver", {"links": "https://x.test"}), ("deliver", {}), ("decline", {"reason": "x" * 501}),
])
def test_bad_move_input_is_400(auth_client, move, body):
    order = order_in(S.DELIVERED if move == "request-revision" else S.IN_PROGRESS)
    side = order.brand if move in ("request-revision", "dispute") else order.creator

    response = auth_client(side).post(f"/api/v1/orders/{order.pk}/{move}", body, format="json")

    assert error_of(response, 400)


def test_one_order_through_the_api(auth_client, brand, package, payments):
    as_brand, as_creator = auth_client(brand), auth_client(package.creator)
    as_brand.post("/api/v1/cart/items", {"package_id": package.pk})
    placed = as_brand.post("/api/v1/cart/checkout", {"requirements": "Brief", "deadline": deadline()}).json()
    order_id = placed["orders"][0]["id"]
    assert order_services.order_mark_paid(order_id=order_id, payment_id=placed["payment"]["id"])

    assert as_creator.post(f"/api/v1/orders/{order_id}/accept").json()["status"] == "in_progress"
    delivered = as_creator.post(f"/api/v1/orders/{order_id}/deliver", {
        "message": "First cut", "links": ["https://instagram.com/reel/1"],
        "files": [SimpleUploadedFile("cut.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32)],
    }, format="multipart").json()
    assert delivered["status"] == "delivered" and delivered["submissions"][0]["files"][0]["content_type"] == \
        "video/mp4"
    assert as_brand.get(f"/api/v1/orders/{order_id}").json()["actions"] == [
        "request_revision", "approve", "request_cancellation", "dispute"]
    as_brand.post(f"/api/v1/orders/{order_id}/request-revision", {"feedback": "Louder music"})
    as_creator.post(f"/api/v1/orders/{order_id}/deliver", {"links": ["https://instagram.com/reel/2"]}, format="json")
    approved = as_brand.post(f"/api/v1/orders/{order_id}/approve", {"note": "Lovely"}).json()

    assert approved["status"] == "completed" and approved["actions"] == ["review"]
    assert [s["decision"] for s in approved["submissions"]] == ["revision_requested", "approved"]
    review = as_brand.post(f"/api/v1/orders/{order_id}/review", {"rating": 5, "text": "Great work"})
    assert review.status_code == 201 and review.json()["is_verified"] is True
    assert error_of(as_brand.post(f"/api/v1/orders/{order_id}/review", {"rating": 4}), 409)
    assert payments.settled == [(order_id, Decimal("0.00"), "order completed", "brand")]
    kinds = [e["new_status"] for e in as_creator.get(f"/api/v1/orders/{order_id}/events").json()["results"]
             if e["kind"] == OrderEvent.Kind.STATUS]
    assert kinds == ["pending_payment", "paid", "in_progress", "delivered", "revision_requested", "delivered",
                     "completed"]


def test_cancelling_by_agreement_through_the_api(auth_client, payments):
    order = order_in(S.IN_PROGRESS)

    asked = auth_client(order.creator).post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "Sick"}).json()
    assert asked["status"] == "in_progress" and asked["cancellation"] == {"requested_by": "creator", "reason": "Sick"}
    assert "withdraw_cancellation" in asked["actions"]
    brand_view = auth_client(order.brand).get(f"/api/v1/orders/{order.pk}").json()
    assert "agree_cancellation" in brand_view["actions"]

    agreed = auth_client(order.brand).post(f"/api/v1/orders/{order.pk}/cancel").json()

    assert agreed["status"] == "cancelled" and payments.refunds(order) == [Decimal("500.00")]


def test_paying_again(auth_client, brand, payments):
    order = order_in(S.PENDING_PAYMENT, brand=brand)
    payment = Payment.objects.create(payer=brand, gateway="sandbox", amount=order.subtotal, currency="USD",
                                     idempotency_key="api-1", status=Payment.Status.FAILED)
    Order.objects.filter(pk=order.pk).update(payment=payment)

    body = auth_client(brand).post(f"/api/v1/orders/{order.pk}/pay").json()

    assert body["payment"]["id"] == payment.pk and payments.started == []  # the failed payment is tried again
    assert error_of(auth_client(brand).post(f"/api/v1/orders/{order_in(S.PAID, brand=brand).pk}/pay"), 409)[
        "code"] == "order_not_payable"
    assert error_of(auth_client(brand).post(f"/api/v1/orders/{order_in(S.PENDING_PAYMENT).pk}/pay"), 404)


def test_a_gateway_outage_at_checkout_still_places_the_orders(auth_client, brand, package, payments):
    from influmojo.errors import ApplicationError

    payments.fail_prepare = ApplicationError("Payments are unavailable; try again.", code="gateway_unavailable",
                                             status=502)
    client = auth_client(brand)
    client.post("/api/v1/cart/items", {"package_id": package.pk})

    body = client.post("/api/v1/cart/checkout", {"requirements": "Brief", "deadline": deadline()}).json()

    assert body["payment"] is None and body["payment_error"]["code"] == "gateway_unavailable"
    assert len(body["orders"]) == 1


# --- Offers ------------------------------------------------------------------------------------------------------
def offer_body(brand, **overrides):
    return {"brand_id": brand.pk, "title": "Two reels", "platform": "instagram", "content_type": "reel",
            "quantity": 2, "price": "900.00", **overrides}


def test_a_creator_offers_and_the_brand_accepts(auth_client, brand, creator):
    made = auth_client(creator).post("/api/v1/offers", offer_body(brand), format="json")
    assert made.status_code == 201, made.content
    offer_id = made.json()["id"]

    accepted = auth_client(brand).post(f"/api/v1/offers/{offer_id}/accept")

    assert accepted.status_code == 201 and accepted.json()["status"] == "accepted"
    cart = auth_client(brand).get("/api/v1/cart").json()
    assert cart["lines"][0]["offer_id"] == offer_id and cart["lines"][0]["id"] == accepted.json()["cart_item_id"]


@pytest.mark.parametrize("overrides", [{"price": "0"}, {"content_type": "short"}, {"expires_in_days": 31},
                                       {"title": ""}, {"brand_id": "x"}])
def test_bad_offers_are_400(auth_client, brand, creator, overrides):
    response = auth_client(creator).post("/api/v1/offers", offer_body(brand, **overrides), format="json")
    assert error_of(response, 400)


def test_offers_are_made_by_creators_and_seen_by_their_two_parties(auth_client, brand, creator):
    assert error_of(auth_client(brand).post("/api/v1/offers", offer_body(brand), format="json"), 403)
    offer = CustomOfferFactory()
    for stranger in (brand, creator):
        assert error_of(auth_client(stranger).get(f"/api/v1/offers/{offer.pk}"), 404)
    assert error_of(auth_client(brand).post(f"/api/v1/offers/{offer.pk}/accept"), 404)
    assert error_of(auth_client(offer.creator).post(f"/api/v1/offers/{offer.pk}/accept"), 403)
    auth_client(offer.brand).post(f"/api/v1/offers/{offer.pk}/decline")
    assert error_of(auth_client(offer.brand).post(f"/api/v1/offers/{offer.pk}/accept"), 409)


def test_the_offer_list_costs_the_same_queries_for_1_and_25_offers(auth_client, brand, django_assert_max_num_queries):
    client = auth_client(brand)
    CustomOfferFactory(brand=brand)
    one = queries(lambda: client.get("/api/v1/offers?limit=100"))
    for _ in range(24):
        CustomOfferFactory(brand=brand)
    with django_assert_max_num_queries(one):
        assert client.get("/api/v1/offers?limit=100").status_code == 200
    assert client.get("/api/v1/offers?limit=100").json()["total"] == 25
