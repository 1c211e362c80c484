"""Payments factories. They write rows directly (as factories do); the money itself moves through services."""

import factory

from accounts.tests.factories import BrandUserFactory, CreatorUserFactory
from payments.models import ConnectedAccount, Customer, PaymentMethod


class ConnectedAccountFactory(factory.django.DjangoModelFactory):
    """A creator's payout account that can receive payouts (onboarding finished)."""

    class Meta:
        model = ConnectedAccount

    user = factory.SubFactory(CreatorUserFactory)
    gateway = "sandbox"
    provider_account_id = factory.LazyAttribute(lambda o: f"acct_sandbox_{o.user.pk}")
    details_submitted = True
    charges_enabled = True
    payouts_enabled = True


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    user = factory.SubFactory(BrandUserFactory)
    gateway = "sandbox"
    provider_customer_id = factory.LazyAttribute(lambda o: f"cus_sandbox_{o.user.pk}")


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    user = factory.SubFactory(BrandUserFactory)
    gateway = "sandbox"
    provider_method_id = factory.Sequence(lambda n: f"pm_sandbox_{n:06d}")
    card_brand = "visa"
    last4 = "4242"
    exp_month = 12
    exp_year = 2034
