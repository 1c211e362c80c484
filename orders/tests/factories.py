"""Orders factories. They write rows directly (as factories do) in a given status; tests of the workflow
itself go through orders.services."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from creators.models import ContentType, Platform
from creators.tests.factories import PackageFactory
from orders.models import CartItem, CustomOffer, Deliverable, Order, OrderItem


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    creator = factory.SubFactory(CreatorUserFactory)
    reviewer = factory.SubFactory(BrandUserFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    """An order with one line (a $500 package bought once, 5 % fee) in `status` (default pending_payment)."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"IM-T{n:07d}")
    brand = factory.SubFactory(BrandUserFactory)
    creator = factory.SubFactory(CreatorUserFactory)
    status = Order.Status.PENDING_PAYMENT
    currency = "USD"
    subtotal = Decimal("500.00")
    fee_rate = Decimal("0.0500")
    platform_fee = factory.LazyAttribute(lambda o: (o.subtotal * o.fee_rate).quantize(Decimal("0.01")))
    requirements = "One reel showing the product in daily use; mention the discount code."
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    revisions_allowed = 2
    deliverable = factory.LazyAttribute(lambda o: Deliverable.objects.create(creator=o.creator, reviewer=o.brand))

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        package = PackageFactory(creator=obj.creator, price=obj.subtotal, currency=obj.currency)
        OrderItem.objects.create(
            order=obj, package=package, title=package.title, description=package.description,
            platform=package.platform, content_type=package.content_type, quantity=1, pieces=package.quantity,
            revisions=package.revisions, duration_days=package.duration_days, unit_price=package.price,
            line_total=package.price,
        )


class CustomOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomOffer

    creator = factory.SubFactory(CreatorUserFactory)
    brand = factory.SubFactory(BrandUserFactory)
    title = "Two reels and a story for the launch"
    platform = Platform.INSTAGRAM
    content_type = ContentType.REEL
    quantity = 2
    revisions = 1
    duration_days = 10
    price = Decimal("1200.00")
    currency = "USD"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    brand = factory.SubFactory(BrandUserFactory)
    package = factory.SubFactory(PackageFactory)
    quantity = 1
