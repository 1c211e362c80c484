"""Custom offers: a creator sends one to a brand (from an order page or the offers list) and may withdraw it; the
brand sees the offers it received and accepts one into its cart, or declines it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from influmojo.errors import ApplicationError, NotFound
from influmojo.permissions import Actor
from payments.fees import fee_rate, platform_fee

from ..api.serializers import party_name
from ..models import CustomOffer
from ..selectors import offers as selectors
from ..selectors.orders import order_get, order_list
from ..services import offers as services
from ..templatetags.orders_pages import OFFER_LABELS
from .common import brand_required, creator_required, or_404, party_required, refusal_to_form
from .forms import OfferForm

PER_PAGE = 20
STATUSES = [(value, OFFER_LABELS[value]) for value in CustomOffer.Status.values]


@party_required
def offer_list(request):
    status = request.GET.get("status", "")
    if status not in CustomOffer.Status.values:
        status = ""
    offers = selectors.offer_list(actor=Actor.of(request.user), status=status or None)
    page = Paginator(offers, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orders/offer_list.html", {
        "page": page, "offers": page.object_list, "status": status, "statuses": STATUSES,
    })


@party_required
def offer_detail(request, offer_id: int):
    offer = or_404(selectors.offer_get, offer_id=offer_id, actor=Actor.of(request.user))
    rate = fee_rate()
    fee = platform_fee(offer.price, rate)
    return render(request, "orders/offer_detail.html", {
        "offer": offer, "fee_rate": rate, "fee": fee, "creator_amount": offer.price - fee,
        "expired": offer.status in (CustomOffer.Status.PENDING, CustomOffer.Status.ACCEPTED)
        and offer.expires_at <= timezone.now(),
        "can_answer": request.user.is_brand and offer.status == CustomOffer.Status.PENDING
        and offer.expires_at > timezone.now(),
        "can_withdraw": request.user.is_creator and offer.status in (CustomOffer.Status.PENDING,
                                                                     CustomOffer.Status.ACCEPTED),
    })


def _brands_of(actor: Actor) -> dict[int, str]:
    """The brands this creator has had paid orders from: whom an offer can go to from this page."""
    brands: dict[int, str] = {}
    for order in order_list(actor=actor).prefetch_related(None):
        brands.setdefault(order.brand_id, party_name(order.brand))
    return dict(sorted(brands.items(), key=lambda item: item[1].lower()))


@creator_required
def offer_create(request):
    actor = Actor.of(request.user)
    order = None
    initial = {}
    order_id = request.GET.get("order") or request.POST.get("in_reply_to_order_id")
    if order_id:
        if not str(order_id).isdigit():
            raise Http404("Order not found.")
        order = or_404(order_get, order_id=int(order_id), actor=actor)
        initial = {"brand_id": order.brand_id, "in_reply_to_order_id": order.pk}
    brands = _brands_of(actor)
    if order is not None:
        brands.setdefault(order.brand_id, party_name(order.brand))
    if request.method == "POST":
        form = OfferForm(request.POST, brands=brands)
        if form.is_valid():
            data = dict(form.validated_data)
            try:
                offer = services.offer_create(
                    actor=actor, brand_id=data.pop("brand_id"), in_reply_to_order_id=data.pop("in_reply_to_order_id"),
                    expires_in_days=data.pop("expires_in_days"), data=data,
                )
            except NotFound as error:
                form.add_error("brand_id" if "Brand" in error.message else None, error.message)
            except ApplicationError as error:
                refusal_to_form(form, error)
            else:
                messages.success(request, f"Offer sent to {party_name(offer.brand)}. They have been e-mailed.")
                return redirect("offer_detail", offer_id=offer.pk)
    else:
        form = OfferForm(brands=brands, initial=initial)
    return render(request, "orders/offer_form.html", {"form": form, "order": order, "has_brands": bool(brands),
                                                      "fee_rate": fee_rate()})


def _answer(service, done: str, *, to_cart: bool = False):
    def view(request, offer_id: int):
        try:
            service(offer_id=offer_id, actor=Actor.of(request.user))
        except NotFound as error:
            raise Http404(error.message) from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("offer_detail", offer_id=offer_id)
        messages.success(request, done)
        return redirect(reverse("cart") if to_cart else reverse("offer_detail", kwargs={"offer_id": offer_id}))

    return require_POST(view)


offer_accept = brand_required(_answer(services.offer_accept, "Offer accepted: it is in your cart, ready to check out.",
                                      to_cart=True))
offer_decline = brand_required(_answer(services.offer_decline, "Offer declined; the creator has been told."))
offer_withdraw = creator_required(_answer(services.offer_withdraw, "Offer withdrawn."))

urlpatterns = [
    path("offers/", offer_list, name="offer_list"),
    path("offers/new/", offer_create, name="offer_create"),
    path("offers/<id:offer_id>/", offer_detail, name="offer_detail"),
    path("offers/<id:offer_id>/accept/", offer_accept, name="offer_accept"),
    path("offers/<id:offer_id>/decline/", offer_decline, name="offer_decline"),
    path("offers/<id:offer_id>/withdraw/", offer_withdraw, name="offer_withdraw"),
]
