"""What every platform client shares: the shapes it returns, its errors, the metric definitions,
the HTTP call with its redacted record, and `redact()`.

A client turns one platform's real API (URLs, parameters, response shapes, error bodies) into these
shapes; it never touches the database. Services decide what to store, and store what `calls` recorded
(with secrets removed) in SocialActivity.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils import timezone

from influmojo.errors import ApplicationError


# --- Errors -------------------------------------------------------------------------------------------
class PlatformError(ApplicationError):
    """The platform refused or failed; `transient` errors (5xx, timeouts) are worth retrying."""

    code, status = "platform_error", 502

    def __init__(self, message: str, *, transient: bool = False, **kwargs):
        super().__init__(message, **kwargs)
        self.transient = transient


class TokenRevoked(PlatformError):
    """The token is expired beyond refresh, revoked, or lost a permission: the creator must reconnect."""

    code, status = "token_revoked", 409


class RateLimited(PlatformError):
    """Too many calls (app, user or daily quota); try again after `retry_after` seconds."""

    code, status = "rate_limited", 503

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, transient=True, **kwargs)
        self.retry_after = max(1, int(retry_after))
        self.details = {"retry_after_seconds": self.retry_after, **self.details}


class NotConfigured(ApplicationError):
    code, status = "platform_not_configured", 400


# --- Shapes -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str = ""
    expires_at: datetime.datetime | None = None  # None: the platform gave no expiry
    scopes: str = ""


@dataclass(frozen=True)
class Profile:
    """One account as the platform describes it (an Instagram business account, a channel, a page)."""

    platform_user_id: str
    username: str
    display_name: str = ""
    profile_url: str = ""
    avatar_url: str = ""
    followers: int = 0
    following: int = 0
    posts: int = 0


@dataclass(frozen=True)
class Media:
    platform_media_id: str
    posted_at: datetime.datetime
    media_type: str = ""
    caption: str = ""
    thumbnail_url: str = ""
    permalink: str = ""
    likes: int = 0
    comments: int = 0
    views: int | None = None  # None: the platform does not report views for this item


@dataclass(frozen=True)
class Metrics:
    followers: int
    following: int
    posts: int
    avg_views: int
    avg_likes: int
    avg_comments: int
    engagement_rate: Decimal  # percent, 4 decimal places

    def as_fields(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Fetched:
    profile: Profile
    media: list[Media] = field(default_factory=list)

    @property
    def metrics(self) -> Metrics:
        return compute_metrics(self.profile, self.media)


# --- Metric definitions: the one place they are written down ------------------------------------------
RECENT_POSTS = 25
ENGAGEMENT_RATE_MAX = Decimal("999.9999")  # the column's range; only a tiny account with viral posts gets near it


def compute_metrics(profile: Profile, media: list[Media], *, recent: int = RECENT_POSTS) -> Metrics:
    """Latest numbers for an account from its profile and its recent posts.

    - average likes / comments: means over the newest `recent` (at most 25) posts the platform returned;
    - engagement rate = (average likes + average comments) per recent post ÷ followers × 100, in percent,
      0 when the account has no followers or no posts;
    - average views: mean over those posts for which the platform reports views (YouTube and TikTok
      videos; Instagram and Facebook report none here, so theirs is 0).
    """
    posts = sorted(media, key=lambda item: item.posted_at, reverse=True)[: min(recent, RECENT_POSTS)]
    count = len(posts)
    likes = sum(item.likes for item in posts) / count if count else 0
    comments = sum(item.comments for item in posts) / count if count else 0
    viewed = [item.views for item in posts if item.views is not None]
    views = sum(viewed) / len(viewed) if viewed else 0
    rate = Decimal(0)
    if count and profile.followers > 0:
        rate = (Decimal(str(likes)) + Decimal(str(comments))) / Decimal(profile.followers) * 100
    rate = min(rate, ENGAGEMENT_RATE_MAX).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Metrics(
        followers=profile.followers,
        following=profile.following,
        posts=profile.posts,
        avg_views=round(views),
        avg_likes=round(likes),
        avg_comments=round(comments),
        engagement_rate=rate,
    )


# --- Secrets out of anything we store -------------------------------------------------------------------
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "code",
        "fb_exchange_token",
        "authorization",
        "id_token",
        "code_verifier",
        "appsecret_proof",
        "input_token",
    }
)
# In response bodies "code" is an error number or word (Graph's 190, TikTok's "ok"), never a secret.
RESPONSE_SECRET_KEYS = SECRET_KEYS - {"code"}
REDACTED = "[redacted]"


def _redact_url(value: str, keys: frozenset) -> str:
    parts = urlsplit(value)
    if not parts.query:
        return value
    query = [(k, REDACTED if k.lower() in keys else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def redact(value, *, keys: frozenset = SECRET_KEYS):
    """A copy of `value` (dicts, lists, strings, URLs with query strings) with secrets replaced.

    Keys are matched case-insensitively, so an `Authorization` header goes as well; URLs keep their
    parameters but not the values of secret ones (Graph's paging links carry the access token).
    """
    if isinstance(value, dict):
        return {key: REDACTED if str(key).lower() in keys else redact(item, keys=keys) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item, keys=keys) for item in value]
    if isinstance(value, str) and value.startswith(("http://", "https://")) and "?" in value:
        return _redact_url(value, keys)
    return value


def compact(value, *, items: int = 3):
    """Long lists cut to their first `items` (a media page need not be stored whole in the activity log)."""
    if isinstance(value, dict):
        return {key: compact(item, items=items) for key, item in value.items()}
    if isinstance(value, list):
        kept = [compact(item, items=items) for item in value[:items]]
        return kept + [f"… {len(value) - items} more"] if len(value) > items else kept
    return value


# --- The HTTP boundary ----------------------------------------------------------------------------------
def as_int(value) -> int:
    """Platform counts arrive as numbers or numeric strings (YouTube) and may be missing or hidden."""
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def expires_at(seconds) -> datetime.datetime | None:
    seconds = as_int(seconds)
    return timezone.now() + datetime.timedelta(seconds=seconds) if seconds else None


class PlatformClient:
    """Base for one platform. Subclasses set `platform`, `label` and implement the OAuth and fetch calls."""

    platform: str = ""
    label: str = ""
    # Refresh the access token when it expires within this margin (and the platform allows a refresh).
    refresh_margin = datetime.timedelta(minutes=5)

    def __init__(self, *, session: requests.Session | None = None):
        self.session = session or requests.Session()
        self.calls: list[dict] = []  # each exchange, secrets removed, for the activity log

    # -- configuration
    @classmethod
    def credentials(cls) -> tuple[str, str]:
        raise NotImplementedError

    @classmethod
    def is_configured(cls) -> bool:
        client_id, secret = cls.credentials()
        return bool(client_id and secret)

    def require_configured(self) -> tuple[str, str]:
        if not self.is_configured():
            raise NotConfigured(f"Connecting {self.label} is not set up on this server yet.")
        return self.credentials()

    # -- what each platform implements
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        raise NotImplementedError

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        raise NotImplementedError

    def refresh(self, tokens: TokenSet) -> TokenSet:
        raise NotImplementedError

    def connectable_profiles(self, tokens: TokenSet) -> list[Profile]:
        """The accounts the creator granted us in the OAuth dialog (usually one)."""
        raise NotImplementedError

    def fetch(self, *, platform_user_id: str, tokens: TokenSet) -> Fetched:
        raise NotImplementedError

    def error_for(self, response: requests.Response, body) -> PlatformError:
        """Maps an error answer (status >= 400, or an error body) to our exceptions."""
        raise NotImplementedError

    # -- shared behaviour
    def needs_refresh(self, tokens: TokenSet, *, now: datetime.datetime | None = None) -> bool:
        if tokens.expires_at is None:
            return False
        return tokens.expires_at <= (now or timezone.now()) + self.refresh_margin

    def request(self, method: str, url: str, *, params=None, data=None, json=None, headers=None) -> dict:
        """One call: JSON answer on success, our exception otherwise; recorded in `calls` without secrets."""
        record = {"method": method, "url": redact(url), "params": redact(params or {})}
        if data is not None:
            record["data"] = redact(data)
        if json is not None:
            record["json"] = redact(json)
        if headers:
            record["headers"] = redact(headers)
        self.calls.append(record)
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                json=json,
                headers=headers,
                timeout=settings.SOCIAL_HTTP_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            # Never str(exc): a connection error's text carries the full URL, query string included.
            record["error"] = type(exc).__name__
            raise PlatformError(f"{self.label} did not answer ({type(exc).__name__}).", transient=True) from None
        try:
            body = response.json()
        except ValueError:
            body = {"text": response.text[:300]}
        record["status"] = response.status_code
        record["body"] = compact(redact(body, keys=RESPONSE_SECRET_KEYS))
        if response.status_code >= 400 or self.is_error_body(body):
            raise self.error_for(response, body)
        return body

    def is_error_body(self, body) -> bool:
        return False

    @staticmethod
    def retry_after_header(response: requests.Response, default: int) -> int:
        value = response.headers.get("Retry-After", "")
        return int(value) if value.isdigit() else default

    @staticmethod
    def with_query(url: str, params: dict) -> str:
        return f"{url}?{urlencode(params)}"
