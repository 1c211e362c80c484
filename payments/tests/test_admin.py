"""The payments console: money records read-only (payments with escrows, refunds and journal; refunds; payouts;
webhook events with their payload; the journal with its lines; accounts at the provider), the retry actions
through refund_retry / payout_retry, and the books page (ledger_check and the fee report by month)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tests.factories import AgentFactory, BrandUserFactory, CreatorUserFactory
from accounts.tests.test_admin import with_totp
from payments.gateways import GatewayRefused
from payments.gateways.sandbox import SandboxGateway
from payments.models import JournalEntry, Payment, Payout, Refund, WebhookEvent
from payments.tests.factories import ConnectedAccountFactory
from payments.tests.test_api import paid, released

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    client.force_login(with_totp(AgentFactory(email="helper@influmojo.test")))
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refuse(monkeypatch, method: str, message: str):
    def refused(self, **kwargs):
        raise GatewayRefused(message)

    monkeypatch.setattr(SandboxGateway, method, refused)


# --- Payments ------------------------------------------------------------------------------------------------
def test_agents_find_a_payment_by_payer_or_order_and_read_all_of_it(agent_client, money):
    brand = BrandUserFactory(email="glow@brand.test")
    payment = paid(money, brand, subtotal="500.00")
    order = payment.escrows.get().order
    money.settle(order, refund="100.00", reason="split")
    paid(money, BrandUserFactory())

    by_payer = agent_client.get(reverse("admin:payments_payment_changelist"), {"q": "glow@brand.test"})
    by_order = agent_client.get(reverse("admin:payments_payment_changelist"), {"q": order.number})
    assert [row.pk for row in by_payer.context["cl"].result_list] == [payment.pk]
    assert [row.pk for row in by_order.context["cl"].result_list] == [payment.pk]

    page = agent_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Held per order (escrow)" in html and "split" in html and "USD 100.00" not in html  # the row, not a sum
    assert "Brand charge into escrow" in html and "Platform cash at the gateway: +500.00" in html
    assert "Refund from escrow to the brand" in html and 'name="_save"' not in html


def test_money_records_cannot_be_changed_added_or_deleted_in_the_console(agent_client, money):
    payment = paid(money, BrandUserFactory())
    url = reverse("admin:payments_payment_change", args=[payment.pk])
    assert agent_client.post(url, {"status": "refunded"}).status_code == 403
    assert agent_client.get(reverse("admin:payments_payment_add")).status_code == 403
    assert agent_client.post(reverse("admin:payments_payment_delete", args=[payment.pk])).status_code == 403
    assert Payment.objects.get(pk=payment.pk).status == "completed"


def test_people_outside_the_console_roles_see_nothing(client, money):
    client.force_login(BrandUserFactory())
    assert client.get(reverse("admin:payments_payment_changelist")).status_code == 302  # to the admin login


# --- Retry actions -------------------------------------------------------------------------------------------
def test_a_failed_refund_is_retried_through_the_action(agent_client, money, monkeypatch, commit, books):
    payment = paid(money, BrandUserFactory())
    refuse(monkeypatch, "create_refund", "The card was closed.")
    money.settle(payment.escrows.get().order, refund="500.00", reason="declined")
    failed = Refund.objects.get()
    assert failed.status == "failed"
    monkeypatch.undo()

    with commit():
        response = agent_client.post(reverse("admin:payments_refund_changelist"),
                                     {"action": "retry_refunds", "_selected_action": [failed.pk]})

    assert messages_of(response) == [f"Sent again: refund {failed.pk}."]
    retry = Refund.objects.exclude(pk=failed.pk).get()
    assert (retry.status, retry.amount, retry.requested_by.email) == ("succeeded", failed.amount,
                                                                      "helper@influmojo.test")
    books()


def test_retrying_a_refund_that_did_not_fail_is_refused_as_a_message(agent_client, money):
    payment = paid(money, BrandUserFactory())
    money.settle(payment.escrows.get().order, refund="50.00")
    refund = Refund.objects.get()
    response = agent_client.post(reverse("admin:payments_refund_changelist"),
                                 {"action": "retry_refunds", "_selected_action": [refund.pk]})
    assert messages_of(response) == [f"Not retried: refund {refund.pk} (Refund {refund.pk} is succeeded; only a "
                                     "failed refund is retried.)"]
    assert Refund.objects.count() == 1


def test_a_failed_payout_is_retried_through_the_action(agent_client, money, monkeypatch, commit, books):
    creator = CreatorUserFactory()
    ConnectedAccountFactory(user=creator)
    refuse(monkeypatch, "create_transfer", "The account cannot receive transfers.")
    payout = released(money, creator)
    assert payout.status == "failed"
    monkeypatch.undo()

    with commit():
        response = agent_client.post(reverse("admin:payments_payout_changelist"),
                                     {"action": "retry_payouts", "_selected_action": [payout.pk]})

    assert messages_of(response) == [f"Sent again: payout {payout.pk}."]
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.failure_message == ""
    books()


def test_a_blocked_payout_is_not_retried(agent_client, money):
    payout = released(money, CreatorUserFactory())
    response = agent_client.post(reverse("admin:payments_payout_changelist"),
                                 {"action": "retry_payouts", "_selected_action": [payout.pk]})
    assert "Not retried" in messages_of(response)[0] and "blocked" in messages_of(response)[0]
    assert Payout.objects.get(pk=payout.pk).status == "blocked"


# --- Webhook events and the journal ----------------------------------------------------------------------------
def test_webhook_events_are_found_by_id_or_type_with_the_payload_shown_pretty(agent_client, money):
    payment = paid(money, BrandUserFactory())
    event = WebhookEvent.objects.get(event_id=f"evt_pi_sandbox_{payment.pk}_succeeded")

    found = agent_client.get(reverse("admin:payments_webhookevent_changelist"), {"q": event.event_id})
    assert [row.pk for row in found.context["cl"].result_list] == [event.pk]
    by_type = agent_client.get(reverse("admin:payments_webhookevent_changelist"), {"q": "payment_intent.succeeded"})
    assert event in by_type.context["cl"].result_list
    ignored = agent_client.get(reverse("admin:payments_webhookevent_changelist"), {"outcome": "ignored"})
    assert event not in ignored.context["cl"].result_list

    html = agent_client.get(reverse("admin:payments_webhookevent_change", args=[event.pk])).content.decode()
    assert '<pre style="white-space: pre-wrap; max-width: 100ch">{\n  &quot;created&quot;' in html
    assert event.outcome in html


def test_journal_entries_show_what_moved_and_their_lines(agent_client, money):
    payment = paid(money, BrandUserFactory(), subtotal="250.00")
    entry = JournalEntry.objects.get(payment=payment, kind="charge")

    listed = agent_client.get(reverse("admin:payments_journalentry_changelist"), {"q": entry.order.number})
    assert "USD 250.00" in listed.content.decode()
    html = agent_client.get(reverse("admin:payments_journalentry_change", args=[entry.pk])).content.decode()
    assert "cash" in html and "escrow" in html and "-250.00" in html


def test_connected_accounts_show_what_stripe_still_needs(agent_client):
    ConnectedAccountFactory(details_submitted=True, payouts_enabled=False, requirements_due=["external_account"])
    html = agent_client.get(reverse("admin:payments_connectedaccount_changelist")).content.decode()
    assert "external_account" in html


# --- The books --------------------------------------------------------------------------------------------------
def test_the_books_page_says_they_balance_with_balances_and_fees_by_month(agent_client, money):
    released(money, CreatorUserFactory(), subtotal="1000.00")

    page = agent_client.get(reverse("admin:payments_books"))
    html = page.content.decode()

    assert page.status_code == 200 and "The books balance" in html
    balances = {(row["code"], row["currency"]): row["balance"] for row in page.context["balances"]}
    assert balances[("fees", "USD")] == -50 and balances[("creator_payable", "USD")] == -950
    assert [(row.fees, row.orders) for row in page.context["fees"]] == [(50, 1)]
    assert reverse("admin:payments_books") in agent_client.get(
        reverse("admin:payments_payment_changelist")).content.decode()


def test_the_books_page_lists_problems(agent_client, money, monkeypatch):
    payment = paid(money, BrandUserFactory())
    refuse(monkeypatch, "create_refund", "The card was closed.")
    money.settle(payment.escrows.get().order, refund="500.00")

    html = agent_client.get(reverse("admin:payments_books")).content.decode()

    assert "1 problem in the books" in html and "500.00 in failed refunds, to retry" in html


def test_the_books_are_for_the_console_roles(client):
    staff = with_totp(BrandUserFactory(is_staff=True))
    client.force_login(staff)
    assert client.get(reverse("admin:payments_books")).status_code == 403
