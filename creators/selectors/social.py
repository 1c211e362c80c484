"""Reads of creators' social accounts: their own list, one account, onboarding handles, what to sync."""

from django.db.models import Case, F, QuerySet, Value, When

from creators import platforms
from creators.models import Platform, SocialAccount, SocialActivity
from influmojo.errors import NotFound

SECRET_FIELDS = ("access_token", "refresh_token")  # never needed to show an account; deferred, never decrypted


STATE_ORDER = Case(
    When(state=SocialAccount.State.CONNECTED, then=Value(0)),
    When(state=SocialAccount.State.DISCONNECTED, then=Value(1)),
    default=Value(2),
)


def social_accounts_of(*, creator) -> QuerySet[SocialAccount]:
    """The creator's accounts without their tokens: connected, then disconnected, then self-reported;
    the biggest audience first within each."""
    return SocialAccount.objects.filter(creator=creator).defer(*SECRET_FIELDS).order_by(STATE_ORDER, "-followers", "id")


def social_account_of(*, creator, account_id: int) -> SocialAccount:
    """One of the creator's own accounts; anyone else's is "not found", never "forbidden"."""
    account = social_accounts_of(creator=creator).filter(pk=account_id).first()
    if account is None:
        raise NotFound("No such social account.")
    return account


def social_activity_of(*, creator, limit: int = 10) -> list[SocialActivity]:
    return list(
        SocialActivity.objects.filter(creator=creator)
        .select_related("account")
        .defer(*(f"account__{name}" for name in SECRET_FIELDS))[:limit]
    )


def social_handles_of(*, creator_id: int) -> list[dict]:
    """The onboarding "social" step's shape: one {platform, handle, followers} per platform.

    A self-reported handle is the step's own answer; a platform with only a connected account shows
    that one. A self-reported follower count of 0 means "not given" and reads back as None.
    """
    handles: dict[str, dict] = {}
    rows = SocialAccount.objects.filter(creator_id=creator_id).only("platform", "source", "username", "followers")
    for account in rows.order_by("platform", "id"):
        self_reported = account.source == SocialAccount.Source.SELF_REPORTED
        if account.platform in handles and not self_reported:
            continue
        handles[account.platform] = {
            "platform": account.platform,
            "handle": account.username,
            "followers": (account.followers or None) if self_reported else account.followers,
        }
    order = list(Platform.values)
    return sorted(handles.values(), key=lambda item: order.index(item["platform"]))


def social_account_ids_to_sync() -> QuerySet:
    """Connected OAuth accounts, the longest unsynced first (never synced before all others)."""
    return (
        SocialAccount.objects.filter(source=SocialAccount.Source.OAUTH, state=SocialAccount.State.CONNECTED)
        .order_by(F("last_synced_at").asc(nulls_first=True), "id")
        .values_list("id", flat=True)
    )


def connect_options() -> list[dict]:
    """The platforms a creator can connect by OAuth, and whether this server has an app for each."""
    return [
        {"platform": name, "label": client.label, "configured": client.is_configured()}
        for name, client in platforms.CLIENTS.items()
    ]
