"""The Messages pages: the conversation list (/messages/) and one conversation (/messages/<id>/), with the forms that
work without JavaScript — sending (text and files), accepting or declining an offer — and the entry points that
open a conversation: a brand's "Message" on a creator's public page, either side's "Message" on an order.

The page renders the history itself; static/js/chat.js then keeps it live over /ws/chat/<id>/ (or by polling the
REST messages route when the socket cannot connect). Reads are chat's selectors, writes chat's services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from influmojo.errors import ApplicationError
from orders.templatetags.orders_pages import OFFER_LABELS
from influmojo.permissions import Actor

from ..api.conversations import ConversationOpenSerializer, MessageCursorSerializer, MessageSendSerializer
from ..models import Conversation, Message
from ..selectors import conversations as selectors
from ..services import conversations as services
from ..services import messages as message_services
from .common import brand_required, or_404, refusal_to_form, role_required
from .forms import chat_offer_form

LIST_PER_PAGE = 30
PREVIEW_LENGTH = 90


# --- Shaping what the templates show --------------------------------------------------------------------------
def _counterpart(conversation: Conversation, user):
    """Who the user talks to: the creator for the brand, the brand for the creator (an agent sees the creator)."""
    return conversation.brand if conversation.creator_id == user.pk else conversation.creator


def _topic(conversation: Conversation) -> tuple[str, str]:
    """(label, link) of what the conversation is about: its order, its campaign, or nothing for a direct one."""
    if conversation.kind == Conversation.Kind.ORDER and conversation.order_id:
        return conversation.title or "Order", reverse("order_detail", kwargs={"order_id": conversation.order_id})
    if conversation.kind == Conversation.Kind.CAMPAIGN:
        return conversation.title or "Campaign", ""
    return "Direct message", ""


def _preview(message: Message | None, user) -> str:
    if message is None:
        return ""
    if message.kind == Message.Kind.OFFER:
        text = f"Custom offer: {message.body}"
    elif message.body:
        text = " ".join(message.body.split())
    else:
        text = "Sent an attachment"
    if message.sender_id == user.pk:
        text = f"You: {text}"
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"


def _rows(conversations, user) -> list[Conversation]:
    """The list's rows: each conversation with the other party, its topic and a preview (no further queries)."""
    rows = list(conversations)
    for conversation in rows:
        conversation.other = _counterpart(conversation, user)
        conversation.other_name = selectors.member_name(conversation.other)
        conversation.topic_label, conversation.topic_url = _topic(conversation)
        conversation.preview = _preview(conversation.last_message, user)
        conversation.activity_at = conversation.last_message_at or conversation.created_at
    return rows


def _seen_id(page_messages: list[Message], *, user_id: int, read_up_to: int) -> int | None:
    """The latest of the user's own messages the other party has read (it carries "Seen")."""
    mine = [message.pk for message in page_messages if message.sender_id == user_id and message.pk <= read_up_to]
    return max(mine) if mine else None


def _runs(page_messages: list[Message]) -> list[Message]:
    """Marks the first message of each run by one sender (its name is shown once above the run)."""
    previous = None
    for message in page_messages:
        message.first_of_run = message.kind == Message.Kind.SYSTEM or message.sender_id != previous
        previous = None if message.kind == Message.Kind.SYSTEM else message.sender_id
    return page_messages


def _inbox(request, *, open_id: int | None = None):
    page = Paginator(selectors.conversation_list(user=request.user), LIST_PER_PAGE).get_page(
        request.GET.get("page") if open_id is None else 1)
    return page, _rows(page.object_list, request.user)


# --- Pages ------------------------------------------------------------------------------------------------------
@login_required
def inbox(request):
    page, rows = _inbox(request)
    return render(request, "chat/inbox.html", {"page": page, "conversations": rows, "open": None})


def _conversation_page(request, conversation_id: int, *, body: str = "", status: int = 200):
    user = request.user
    conversation = or_404(selectors.conversation_get, conversation_id=conversation_id, user=user)
    cursor = MessageCursorSerializer(data={"before": request.GET["before"]} if request.GET.get("before") else {})
    before = cursor.validated_data.get("before") if cursor.is_valid() else None
    history = selectors.message_list(conversation_id=conversation.pk, user=user, before=before)
    members = list(conversation.participants.all())
    counterpart = _counterpart(conversation, user)
    my_read = next((member.last_read_message_id for member in members if member.user_id == user.pk), 0)
    their_read = max((member.last_read_message_id for member in members if member.user_id == counterpart.pk),
                     default=0)
    _, rows = _inbox(request, open_id=conversation.pk)
    topic_label, topic_url = _topic(conversation)
    return render(request, "chat/conversation.html", {
        "conversation": conversation, "conversations": rows, "open": conversation,
        "counterpart": counterpart, "counterpart_name": selectors.member_name(counterpart),
        "members": members, "topic_label": topic_label, "topic_url": topic_url,
        "history": _runs(history.messages), "has_earlier": history.has_more, "before": before,
        "seen_id": _seen_id(history.messages, user_id=user.pk, read_up_to=their_read), "their_read": their_read, "my_read": my_read, "offer_labels": OFFER_LABELS,
        "last_id": history.messages[-1].pk if history.messages else 0,
        "is_brand": conversation.brand_id == user.pk, "body": body, "client_id": uuid.uuid4().hex,
    }, status=status)


@login_required
def conversation(request, conversation_id: int):
    return _conversation_page(request, conversation_id)


@login_required
@require_POST
def message_send(request, conversation_id: int):
    """The composer without JavaScript: text and/or files in one multipart POST; the hidden client_id makes a
    resubmitted form store the message once."""
    serializer = MessageSendSerializer(data={
        "body": request.POST.get("body", ""), "client_id": request.POST.get("client_id", ""),
        "files": request.FILES.getlist("files"),
    })
    body = request.POST.get("body", "")
    if not serializer.is_valid():
        errors = [str(error) for field_errors in serializer.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors) or "That message could not be sent.")
        return _conversation_page(request, conversation_id, body=body, status=400)
    data = serializer.validated_data
    try:
        or_404(message_services.message_send, conversation_id=conversation_id, actor=Actor.of(request.user),
               body=data["body"], files=data["files"], client_id=data["client_id"])
    except ApplicationError as error:
        messages.error(request, error.message)
        return _conversation_page(request, conversation_id, body=body, status=400)
    return redirect(f"{reverse('chat_conversation', args=[conversation_id])}#latest")


def _offer_move(run, done: str):
    @login_required
    @require_POST
    def view(request, conversation_id: int, offer_id: int):
        try:
            or_404(run, conversation_id=conversation_id, offer_id=offer_id, actor=Actor.of(request.user))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return redirect(f"{reverse('chat_conversation', args=[conversation_id])}#latest")

    return view


offer_accept = _offer_move(message_services.message_offer_accept,
                           "Offer accepted: it is in your cart. Check out to place the order.")
offer_decline = _offer_move(message_services.message_offer_decline, "Offer declined; the creator has been told.")


creator_required = role_required("creator", "Custom offers are sent by creator accounts.")


@creator_required
def offer_send(request, conversation_id: int):
    """The conversation's creator makes the brand a custom offer; it appears in the chat as a card the brand
    accepts into their cart."""
    conversation = or_404(selectors.conversation_get, conversation_id=conversation_id, user=request.user)
    form = chat_offer_form(request.POST or None, initial={"client_id": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = dict(form.validated_data)
        try:
            or_404(message_services.message_offer_send, conversation_id=conversation.pk, actor=Actor.of(request.user),
                   client_id=data.pop("client_id", ""), expires_in_days=data.pop("expires_in_days", None), data=data)
        except ApplicationError as error:
            refusal_to_form(form, error)
        else:
            messages.success(request, "Offer sent: the brand can accept it into their cart from the chat.")
            return redirect(f"{reverse('chat_conversation', args=[conversation.pk])}#latest")
    from payments.fees import fee_rate

    return render(request, "chat/offer_form.html", {
        "conversation": conversation, "form": form, "fee_rate": fee_rate(),
        "counterpart_name": selectors.member_name(_counterpart(conversation, request.user)),
    }, status=400 if request.method == "POST" else 200)


# --- Entry points -----------------------------------------------------------------------------------------------
@brand_required
@require_POST
def conversation_start(request):
    """A brand's "Message" on a creator's public page: the direct conversation, opened once, found again after."""
    serializer = ConversationOpenSerializer(data={"creator_id": request.POST.get("creator_id")})
    if not serializer.is_valid():
        messages.error(request, "That creator could not be found.")
        return redirect("inbox")
    conversation = or_404(services.conversation_open_direct, actor=Actor.of(request.user),
                          creator_id=serializer.validated_data["creator_id"])
    return redirect("chat_conversation", conversation_id=conversation.pk)


@login_required
def order_conversation(request, order_id: int):
    """An order page's "Message": the order's conversation for its brand and creator (it opens when it is paid)."""
    conversation = selectors.conversation_for_order(order_id=order_id)
    if conversation is None or not selectors.is_member(conversation_id=conversation.pk, user_id=request.user.pk):
        from orders.selectors.orders import order_get

        order = or_404(order_get, order_id=order_id, actor=Actor.of(request.user))
        messages.info(request, "The order's conversation opens once the order is paid.")
        return redirect("order_detail", order_id=order.pk)
    return redirect("chat_conversation", conversation_id=conversation.pk)


urlpatterns = [
    path("messages/", inbox, name="inbox"),
    path("messages/start/", conversation_start, name="chat_start"),
    path("messages/order/<id:order_id>/", order_conversation, name="chat_order_conversation"),
    path("messages/<id:conversation_id>/", conversation, name="chat_conversation"),
    path("messages/<id:conversation_id>/send/", message_send, name="chat_message_send"),
    path("messages/<id:conversation_id>/offer/", offer_send, name="chat_offer_send"),
    path("messages/<id:conversation_id>/offers/<id:offer_id>/accept/", offer_accept, name="chat_offer_accept"),
    path("messages/<id:conversation_id>/offers/<id:offer_id>/decline/", offer_decline, name="chat_offer_decline"),
]
