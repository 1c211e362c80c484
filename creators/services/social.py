"""Every write to creators' social accounts: self-reported handles, OAuth connect, sync, disconnect.

Calls to the platforms happen outside database transactions (a slow platform never holds a row
lock); what they return is then written in one short transaction. Every attempt leaves a
SocialActivity row whose payloads went through `platforms.redact`. E-mails and Celery tasks go out
on commit.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from brands.services.cards import card_refresh, card_refresh_later
from chat.services.notifications import notify
from creators import platforms
from creators.models import MetricsSnapshot, Platform, SocialAccount, SocialActivity, SocialMedia
from creators.platforms.base import Fetched, PlatformClient, PlatformError, Profile, RateLimited, TokenRevoked, TokenSet
from influmojo.errors import ApplicationError, Conflict, InvalidTransition, NotFound

logger = logging.getLogger(__name__)

OAUTH, SELF_REPORTED = SocialAccount.Source.OAUTH, SocialAccount.Source.SELF_REPORTED
CONNECTED, DISCONNECTED = SocialAccount.State.CONNECTED, SocialAccount.State.DISCONNECTED
Sync = SocialAccount.SyncStatus
# A sync marked queued or running more recently than this is under way: don't start another.
SYNC_IN_FLIGHT = datetime.timedelta(minutes=10)
MEDIA_FIELDS = ("media_type", "caption", "thumbnail_url", "permalink", "likes", "comments", "views", "posted_at")
# Where a typed-in handle lives (connected accounts carry the URL their platform gave).
PROFILE_URLS = {
    Platform.INSTAGRAM: "https://www.instagram.com/{}/",
    Platform.YOUTUBE: "https://www.youtube.com/@{}",
    Platform.TIKTOK: "https://www.tiktok.com/@{}",
    Platform.FACEBOOK: "https://www.facebook.com/{}",
    Platform.TWITTER: "https://x.com/{}",
}


def sentence(text: str) -> str:
    """Platform messages often lack a final stop; ours follow them."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _label(platform: str) -> str:
    return Platform(platform).label


# --- Activity log -------------------------------------------------------------------------------------
def _payloads(calls: list[dict]) -> tuple[dict, dict]:
    """A client's recorded calls (already redacted) split into what we sent and what came back."""
    sent = [
        {key: call[key] for key in ("method", "url", "params", "data", "json", "headers") if key in call}
        for call in calls
    ]
    answered = [{key: call[key] for key in ("status", "body", "error") if key in call} for call in calls]
    return ({"calls": sent}, {"calls": answered}) if calls else ({}, {})


def _activity(
    *,
    creator_id: int,
    platform: str,
    action: str,
    ok: bool,
    message: str = "",
    account: SocialAccount | None = None,
    calls: list[dict] | None = None,
    ip: str | None = None,
    request: dict | None = None,
    response: dict | None = None,
) -> SocialActivity:
    sent, answered = _payloads(calls or [])
    return SocialActivity.objects.create(
        creator_id=creator_id,
        account=account,
        platform=platform,
        action=action,
        status=SocialActivity.Status.SUCCESS if ok else SocialActivity.Status.FAILED,
        message=message[:500],
        request_payload=platforms.redact({**sent, **(request or {})}),
        response_payload=platforms.redact({**answered, **(response or {})}),
        ip_address=ip,
    )


# --- Self-reported handles ------------------------------------------------------------------------------
def _self_reported_fields(account: SocialAccount, *, username: str, followers: int | None) -> None:
    account.username = username
    account.profile_url = PROFILE_URLS[account.platform].format(username)
    account.followers = followers or 0  # 0 reads back as "not given"


@transaction.atomic
def social_account_self_report(
    *, creator, platform: str, username: str, followers: int | None, ip: str | None = None
) -> tuple[SocialAccount, bool]:
    """Sets the creator's typed-in (unverified) handle on a platform: one per platform; True if new."""
    rows = list(SocialAccount.objects.select_for_update().filter(creator=creator, platform=platform))
    if any(row.source != SELF_REPORTED and row.username.lower() == username.lower() for row in rows):
        raise Conflict(
            f"@{username} is already listed as a connected {_label(platform)} account; "
            "its numbers come from the platform.",
            details={"username": ["Already connected."]},
        )
    account = next((row for row in rows if row.source == SELF_REPORTED), None)
    created = account is None
    if created:
        account = SocialAccount(
            creator=creator, platform=platform, source=SELF_REPORTED, state=SocialAccount.State.SELF_REPORTED
        )
    _self_reported_fields(account, username=username, followers=followers)
    account.save()
    card_refresh_later(creator.pk)
    _activity(
        creator_id=creator.pk,
        platform=platform,
        action="self_report",
        ok=True,
        account=account,
        ip=ip,
        message=f"@{username}: {f'{followers:,}' if followers else 'no'} followers (self-reported)",
    )
    return account, created


def social_handles_replace(*, creator, handles: list[dict]) -> None:
    """The onboarding "social" step: its list is the creator's whole set of self-reported handles.

    Each {platform, handle, followers} becomes that platform's self-reported account; platforms left
    out lose theirs. A handle that is already connected by OAuth stays as it is (verified numbers win).
    Connected accounts are never touched here.
    """
    with transaction.atomic():
        rows = list(SocialAccount.objects.select_for_update().filter(creator=creator))
        listed = {item["platform"]: item for item in handles}
        for row in rows:
            if row.source == SELF_REPORTED and row.platform not in listed:
                row.delete()
        for platform, item in listed.items():
            username = item["handle"]
            own = next((row for row in rows if row.platform == platform and row.source == SELF_REPORTED), None)
            if any(
                row.platform == platform and row.source != SELF_REPORTED and row.username.lower() == username.lower()
                for row in rows
            ):
                if own is not None:
                    own.delete()
                continue
            account = own or SocialAccount(
                creator=creator, platform=platform, source=SELF_REPORTED, state=SocialAccount.State.SELF_REPORTED
            )
            _self_reported_fields(account, username=username, followers=item.get("followers"))
            account.save()
        card_refresh_later(creator.pk)


# --- OAuth connect --------------------------------------------------------------------------------------
def social_accounts_connect(
    *, creator, platform: str, code: str, redirect_uri: str, code_verifier: str = "", ip: str | None = None
) -> list[SocialAccount]:
    """Finishes an OAuth dialog: code → tokens → the granted accounts, stored as connected and verified.

    A typed-in handle with the same username becomes the verified account. An account another
    creator already connected is refused (Conflict). The first sync is queued on commit.
    """
    client = platforms.client_for(platform)
    client.require_configured()
    try:
        tokens = client.exchange_code(code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
        profiles = client.connectable_profiles(tokens)
    except PlatformError as exc:
        _activity(
            creator_id=creator.pk,
            platform=platform,
            action="connect",
            ok=False,
            message=exc.message,
            calls=client.calls,
            ip=ip,
        )
        if isinstance(exc, TokenRevoked):  # at connect time: the code was refused, used or expired
            raise ApplicationError(exc.message, code="oauth_failed") from None
        raise
    try:
        with transaction.atomic():
            accounts = [
                _connect_profile(creator=creator, platform=platform, profile=profile, tokens=tokens)
                for profile in profiles
            ]
            for account in accounts:
                _activity(
                    creator_id=creator.pk,
                    platform=platform,
                    action="connect",
                    ok=True,
                    account=account,
                    calls=client.calls,
                    ip=ip,
                    message=f"Connected @{account.username} ({account.followers:,} followers)",
                )
            ids = [account.pk for account in accounts]
            transaction.on_commit(lambda: _queue_syncs(ids), robust=True)
            card_refresh(creator_id=creator.pk)  # in this transaction: the one on-commit job is the first sync
    except Conflict as exc:
        _activity(
            creator_id=creator.pk,
            platform=platform,
            action="connect",
            ok=False,
            message=exc.message,
            calls=client.calls,
            ip=ip,
        )
        raise
    return accounts


def _conflict(platform: str, username: str) -> Conflict:
    return Conflict(
        f"The {_label(platform)} account @{username} is already connected to another Influmojo creator. "
        "If it is yours, ask them to disconnect it or contact support.",
        code="account_taken",
    )


def _connect_profile(*, creator, platform: str, profile: Profile, tokens: TokenSet) -> SocialAccount:
    taken = (
        SocialAccount.objects.select_for_update()
        .filter(platform=platform, source=OAUTH, platform_user_id=profile.platform_user_id)
        .first()
    )
    if taken is not None and taken.creator_id != creator.pk:
        raise _conflict(platform, profile.username)
    account = taken or (
        SocialAccount.objects.select_for_update()
        .filter(creator=creator, platform=platform, username__iexact=profile.username)
        .order_by("-source")  # self_reported before oauth: the typed-in row is the one to upgrade
        .first()
    )
    account = account or SocialAccount(creator=creator, platform=platform)
    _drop_duplicate_handle(account, username=profile.username, creator_id=creator.pk)
    account.source, account.state = OAUTH, CONNECTED
    _profile_fields(account, profile)
    account.followers, account.following, account.posts = profile.followers, profile.following, profile.posts
    _token_fields(account, tokens)
    account.sync_status, account.last_sync_error = Sync.QUEUED, ""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # another creator connected the same account a moment ago
        raise _conflict(platform, profile.username) from None
    return account


def _drop_duplicate_handle(account: SocialAccount, *, username: str, creator_id: int) -> None:
    """A typed-in row of the same handle is absorbed by the connected account (one row per handle)."""
    duplicates = SocialAccount.objects.filter(
        creator_id=creator_id, platform=account.platform, username__iexact=username, source=SELF_REPORTED
    )
    if account.pk:
        duplicates = duplicates.exclude(pk=account.pk)
    duplicates.delete()


def _profile_fields(account: SocialAccount, profile: Profile) -> None:
    account.platform_user_id = profile.platform_user_id
    account.username = profile.username[:100]
    account.display_name = profile.display_name[:150]
    account.profile_url = profile.profile_url[:500]
    account.avatar_url = profile.avatar_url[:1000]


def _token_fields(account: SocialAccount, tokens: TokenSet) -> None:
    account.access_token = tokens.access_token
    account.refresh_token = tokens.refresh_token
    account.token_expires_at = tokens.expires_at
    account.scopes = tokens.scopes[:500]


def _queue_syncs(account_ids: list[int]) -> None:
    from creators.tasks import sync_social_account

    for account_id in account_ids:
        sync_social_account.delay(account_id)


# --- Disconnect -----------------------------------------------------------------------------------------
@transaction.atomic
def social_account_disconnect(*, creator, account_id: int, ip: str | None = None) -> SocialAccount | None:
    """A connected account is disconnected (tokens erased, history kept); any other is removed (None)."""
    account = SocialAccount.objects.select_for_update().filter(creator=creator, pk=account_id).first()
    if account is None:
        raise NotFound("No such social account.")
    card_refresh_later(creator.pk)
    if account.source == OAUTH and account.state == CONNECTED:
        _erase_tokens(account, state=DISCONNECTED, sync_status=Sync.IDLE, error="")
        _activity(
            creator_id=creator.pk,
            platform=account.platform,
            action="disconnect",
            ok=True,
            account=account,
            ip=ip,
            message=f"@{account.username} disconnected by the creator; tokens erased",
        )
        return account
    _activity(
        creator_id=creator.pk,
        platform=account.platform,
        action="remove",
        ok=True,
        account=account,
        ip=ip,
        message=f"@{account.username} removed by the creator",
    )
    account.delete()
    return None


def _erase_tokens(account: SocialAccount, *, state: str, sync_status: str, error: str) -> None:
    account.access_token = account.refresh_token = ""
    account.token_expires_at = None
    account.state, account.sync_status, account.last_sync_error = state, sync_status, error[:500]
    account.save(
        update_fields=[
            "access_token",
            "refresh_token",
            "token_expires_at",
            "state",
            "sync_status",
            "last_sync_error",
            "updated_at",
        ]
    )


# --- Sync -----------------------------------------------------------------------------------------------
def _syncable(account: SocialAccount) -> bool:
    return account.source == OAUTH and account.state == CONNECTED


def _in_flight(account: SocialAccount) -> bool:
    return account.sync_status in (Sync.QUEUED, Sync.RUNNING) and account.updated_at > timezone.now() - SYNC_IN_FLIGHT


@transaction.atomic
def social_account_request_sync(*, account_id: int, creator=None, ip: str | None = None) -> SocialAccount:
    """ "Sync now": marks the account queued and queues the sync on commit (once, if one is not under way).

    `creator` scopes the lookup to their own accounts (API, pages); staff actions pass None.
    """
    rows = SocialAccount.objects.select_for_update()
    if creator is not None:
        rows = rows.filter(creator=creator)
    account = rows.filter(pk=account_id).first()
    if account is None:
        raise NotFound("No such social account.")
    if not _syncable(account):
        raise InvalidTransition("Only accounts connected through the platform can be synced; connect it first.")
    under_way = _in_flight(account)
    if not under_way:
        account.sync_status = Sync.QUEUED
        account.save(update_fields=["sync_status", "updated_at"])
        transaction.on_commit(lambda: _queue_syncs([account.pk]), robust=True)
    _activity(
        creator_id=account.creator_id,
        platform=account.platform,
        action="sync_requested",
        ok=True,
        account=account,
        ip=ip,
        message="Already under way" if under_way else "Queued on request",
    )
    return account


def social_accounts_mark_queued(*, account_ids: list[int]) -> int:
    """The beat job's batch: shows "queued" on the accounts it just scheduled."""
    return (
        SocialAccount.objects.filter(pk__in=account_ids, source=OAUTH, state=CONNECTED)
        .exclude(sync_status=Sync.RUNNING)
        .update(sync_status=Sync.QUEUED, updated_at=timezone.now())
    )


@transaction.atomic
def _claim(account_id: int) -> SocialAccount | None:
    account = SocialAccount.objects.select_for_update().filter(pk=account_id).first()
    if account is None or not _syncable(account):
        return None
    if account.sync_status == Sync.RUNNING and account.updated_at > timezone.now() - SYNC_IN_FLIGHT:
        return None  # another worker is on it
    account.sync_status = Sync.RUNNING
    account.save(update_fields=["sync_status", "updated_at"])
    return account


def _tokens_of(account: SocialAccount) -> TokenSet:
    return TokenSet(account.access_token, account.refresh_token, account.token_expires_at, account.scopes)


def social_account_sync(*, account_id: int) -> SocialAccount | None:
    """Fetches an account's profile and recent posts and stores today's numbers; safe to run again.

    Refreshes the token first when it is about to expire. A revoked token disconnects the account and
    tells the creator. Rate limits and transient failures are recorded and raised for the task to retry;
    other platform errors are recorded and end the attempt. None when there is nothing to sync.
    """
    account = _claim(account_id)
    if account is None:
        return None
    client = platforms.client_for(account.platform)
    if not client.is_configured():
        _sync_failed(account, PlatformError(f"{client.label} is not configured on this server."), client, action="sync")
        return account
    tokens, action = _tokens_of(account), "sync"
    try:
        if client.needs_refresh(tokens):
            action = "refresh_token"
            tokens = client.refresh(tokens)
            _store_refreshed(account, tokens, client)
            action = "sync"
        fetched = client.fetch(platform_user_id=account.platform_user_id, tokens=tokens)
    except TokenRevoked as exc:
        return _revoked(account, exc, client, action=action)
    except PlatformError as exc:
        _sync_failed(account, exc, client, action=action)
        if exc.transient:
            raise
        return account
    except Exception as exc:
        # A bug or an answer we could not parse: recorded, then raised so it is seen (and retried).
        logger.exception("sync of social account %s failed", account.pk)
        _sync_failed(account, PlatformError(f"Unexpected error ({type(exc).__name__})."), client, action=action)
        raise
    return _store_fetched(account, fetched, client)


@transaction.atomic
def _store_refreshed(account: SocialAccount, tokens: TokenSet, client: PlatformClient) -> None:
    """Saved at once: TikTok's refresh token rotates, so the new one must survive a failing fetch."""
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    _token_fields(locked, tokens)
    locked.save(update_fields=["access_token", "refresh_token", "token_expires_at", "scopes", "updated_at"])
    until = f" until {tokens.expires_at:%Y-%m-%d %H:%M} UTC" if tokens.expires_at else ""
    _activity(
        creator_id=account.creator_id,
        platform=account.platform,
        action="refresh_token",
        ok=True,
        account=locked,
        calls=client.calls,
        message=f"Access token renewed{until}",
    )
    client.calls.clear()


@transaction.atomic
def _store_fetched(account: SocialAccount, fetched: Fetched, client: PlatformClient) -> SocialAccount | None:
    account = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if not _syncable(account):  # disconnected while we were fetching: keep nothing
        return account
    metrics = fetched.metrics
    _drop_duplicate_handle(account, username=fetched.profile.username, creator_id=account.creator_id)
    _profile_fields(account, fetched.profile)
    for name, value in metrics.as_fields().items():
        setattr(account, name, value)
    account.sync_status, account.last_sync_error, account.last_synced_at = Sync.IDLE, "", timezone.now()
    account.save()
    MetricsSnapshot.objects.update_or_create(account=account, date=timezone.localdate(), defaults=metrics.as_fields())
    _store_media(account, fetched)
    card_refresh_later(account.creator_id)
    _activity(
        creator_id=account.creator_id,
        platform=account.platform,
        action="sync",
        ok=True,
        account=account,
        calls=client.calls,
        response={"metrics": {**metrics.as_fields(), "engagement_rate": str(metrics.engagement_rate)}},
        message=f"{metrics.followers:,} followers, {metrics.engagement_rate}% engagement, {len(fetched.media)} posts",
    )
    return account


def _store_media(account: SocialAccount, fetched: Fetched) -> None:
    """The recent posts as the platform reported them now; older ones we kept are dropped."""
    rows = [
        SocialMedia(
            account=account,
            platform_media_id=item.platform_media_id[:64],
            media_type=item.media_type[:30],
            caption=item.caption,
            thumbnail_url=item.thumbnail_url[:1000],
            permalink=item.permalink[:1000],
            likes=item.likes,
            comments=item.comments,
            views=item.views,
            posted_at=item.posted_at,
        )
        for item in fetched.media
    ]
    if rows:
        SocialMedia.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["account", "platform_media_id"],
            update_fields=list(MEDIA_FIELDS),
        )
    SocialMedia.objects.filter(account=account).exclude(
        platform_media_id__in=[row.platform_media_id for row in rows]
    ).delete()


@transaction.atomic
def _sync_failed(account: SocialAccount, exc: PlatformError, client: PlatformClient, *, action: str) -> None:
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if isinstance(exc, RateLimited):
        message = f"{sentence(exc.message)} Next try in about {max(1, exc.retry_after // 60)} min."
        status = Sync.QUEUED
    else:
        message, status = exc.message, Sync.FAILED
    locked.sync_status, locked.last_sync_error = status, message[:500]
    locked.save(update_fields=["sync_status", "last_sync_error", "updated_at"])
    _activity(
        creator_id=account.creator_id,
        platform=account.platform,
        action=action,
        ok=False,
        account=locked,
        calls=client.calls,
        message=message,
        response={"error": {"code": exc.code, "transient": exc.transient}},
    )


@transaction.atomic
def _revoked(account: SocialAccount, exc: TokenRevoked, client: PlatformClient, *, action: str) -> SocialAccount:
    locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
    _erase_tokens(locked, state=DISCONNECTED, sync_status=Sync.FAILED, error=exc.message)
    card_refresh(creator_id=account.creator_id)  # in this transaction: the one on-commit job is telling
    _activity(
        creator_id=account.creator_id,
        platform=account.platform,
        action=action,
        ok=False,
        account=locked,
        calls=client.calls,
        message=exc.message,
        response={"error": {"code": exc.code}},
    )

    _tell_disconnected(locked)  # on commit, through the notification service
    return locked


def social_account_sync_gave_up(*, account_id: int, message: str) -> None:
    """The task used up its retries: the account shows the sync failed until the next attempt."""
    SocialAccount.objects.filter(pk=account_id, source=OAUTH, state=CONNECTED).update(
        sync_status=Sync.FAILED, last_sync_error=message[:500], updated_at=timezone.now()
    )


# --- Telling the creator --------------------------------------------------------------------------------
def _tell_disconnected(account: SocialAccount) -> None:
    """After a platform revoked our access: the creator hears it (in the app, by e-mail and push, per their
    'account' preferences) once the transaction commits."""
    label = account.get_platform_display()
    since = f" from {account.last_synced_at:%d %b %Y}" if account.last_synced_at else ""
    body = (
        f"{label} stopped accepting Influmojo's access to @{account.username}, so we can no longer update its "
        f"numbers.\nReason given: {account.last_sync_error or 'the authorisation was revoked or expired'}\n\n"
        f"Until you connect it again, brands see the last numbers we have{since} and the account is not "
        "marked as verified."
    )
    notify(user_id=account.creator_id, type="account", event="social_account.disconnected",
           title=f"Your {label} account @{account.username} was disconnected", body=body,
           url=reverse("creator_social"), data={"social_account_id": account.pk, "platform": account.platform})
