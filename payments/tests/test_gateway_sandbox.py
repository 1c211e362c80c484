"""The sandbox gateway: deterministic fake ids, everything succeeds at once, unknown objects are refused."""

import pytest

from payments.gateways import GatewayRefused
from payments.gateways.sandbox import SandboxGateway

pytestmark = pytest.mark.django_db


def test_ids_are_derived_from_our_rows():
    gateway = SandboxGateway()

    intent = gateway.create_payment_intent(amount_minor=500, currency="usd", customer_id="", transfer_group="g",
                                           metadata={"payment_id": 7}, description="", idempotency_key="k")
    again = gateway.create_payment_intent(amount_minor=500, currency="usd", customer_id="", transfer_group="g",
                                          metadata={"payment_id": 7}, description="", idempotency_key="k")

    assert intent == again and intent.id == "pi_sandbox_7" and intent.currency == "USD"
    assert gateway.create_refund(intent_id=intent.id, amount_minor=1, metadata={"refund_id": 3},
                                 idempotency_key="k").id == "re_sandbox_3"
    transfer = gateway.create_transfer(amount_minor=475, currency="usd", destination="acct_sandbox_1",
                                       source_transaction="", transfer_group="g", metadata={"payout_id": 9},
                                       idempotency_key="k")
    assert (transfer.id, transfer.amount_minor) == ("tr_sandbox_9", 475)
    assert gateway.create_customer(email="", name="", metadata={"user_id": 4}, idempotency_key="k") == "cus_sandbox_4"


def test_unknown_objects_are_refused_like_a_provider_would():
    gateway = SandboxGateway()

    with pytest.raises(GatewayRefused) as caught:
        gateway.retrieve_payment_intent("pi_sandbox_404")
    assert caught.value.status == 404
    with pytest.raises(GatewayRefused):
        gateway.retrieve_connected_account("acct_sandbox_404")
