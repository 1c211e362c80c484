"""YouTube channels through the YouTube Data API v3, authorised with Google OAuth (youtube.readonly).

Google gives a one-hour access token and, with `access_type=offline`, a refresh token; the sync
refreshes the access token when it is about to expire. `invalid_grant` on refresh means the creator
revoked our access (or the token lapsed): the account must be connected again.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .base import (
    Fetched,
    Media,
    PlatformClient,
    PlatformError,
    Profile,
    RateLimited,
    TokenRevoked,
    TokenSet,
    as_int,
    expires_at,
)

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"
API_URL = "https://www.googleapis.com/youtube/v3"
SCOPE = "https://www.googleapis.com/auth/youtube.readonly"
RECENT_VIDEOS = 25
QUOTA_RESETS_IN = zoneinfo.ZoneInfo("America/Los_Angeles")  # the daily quota resets at midnight Pacific Time
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
PERMISSION_REASONS = {"insufficientPermissions", "authError"}


def seconds_until_quota_reset(now: datetime.datetime | None = None) -> int:
    local = (now or timezone.now()).astimezone(QUOTA_RESETS_IN)
    midnight = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(), QUOTA_RESETS_IN)
    return max(60, int((midnight - local).total_seconds()))


class YouTubeClient(PlatformClient):
    platform = "youtube"
    label = "YouTube"

    @classmethod
    def credentials(cls) -> tuple[str, str]:
        return settings.YOUTUBE_CLIENT_ID, settings.YOUTUBE_CLIENT_SECRET

    # -- OAuth
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        client_id, _ = self.require_configured()
        return self.with_query(
            AUTHORIZE_URL,
            {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPE,
                "access_type": "offline",  # gives a refresh token
                "include_granted_scopes": "true",
                "prompt": "consent",  # a refresh token on every connect, not only the first
                "state": state,
            },
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        client_id, secret = self.require_configured()
        data = {
            "code": code,
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
        }
        if code_verifier:
            data["code_verifier"] = code_verifier
        return self._tokens(self.request("POST", TOKEN_URL, data=data))

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise TokenRevoked("The YouTube connection has no refresh token. Connect the channel again.")
        client_id, secret = self.require_configured()
        body = self.request(
            "POST",
            TOKEN_URL,
            data={
                "client_id": client_id,
                "client_secret": secret,
                "refresh_token": tokens.refresh_token,
                "grant_type": "refresh_token",
            },
        )
        return self._tokens(body, keep_refresh_token=tokens.refresh_token)

    @staticmethod
    def _tokens(body: dict, keep_refresh_token: str = "") -> TokenSet:
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token") or keep_refresh_token,  # a refresh answer rarely repeats it
            expires_at=expires_at(body.get("expires_in")),
            scopes=body.get("scope", SCOPE),
        )

    # -- data
    def _get(self, resource: str, tokens: TokenSet, **params) -> dict:
        headers = {"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"}
        return self.request("GET", f"{API_URL}/{resource}", params=params, headers=headers)

    def _channels(self, tokens: TokenSet) -> list[dict]:
        body = self._get("channels", tokens, part="snippet,statistics,contentDetails", mine="true")
        channels = body.get("items") or []
        if not channels:
            raise PlatformError("This Google account has no YouTube channel. Create one, then connect again.")
        return channels

    def connectable_profiles(self, tokens: TokenSet) -> list[Profile]:
        return [self._profile(channel) for channel in self._channels(tokens)]

    def fetch(self, *, platform_user_id: str, tokens: TokenSet) -> Fetched:
        channel = next((item for item in self._channels(tokens) if item["id"] == platform_user_id), None)
        if channel is None:
            raise TokenRevoked("This Google login no longer gives access to the channel. Connect it again.")
        profile = self._profile(channel)
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not uploads or profile.posts == 0:
            return Fetched(profile=profile)
        items = (
            self._get("playlistItems", tokens, part="contentDetails", playlistId=uploads, maxResults=RECENT_VIDEOS).get(
                "items"
            )
            or []
        )
        ids = [item["contentDetails"]["videoId"] for item in items if (item.get("contentDetails") or {}).get("videoId")]
        if not ids:
            return Fetched(profile=profile)
        videos = self._get("videos", tokens, part="snippet,statistics", id=",".join(ids), maxResults=RECENT_VIDEOS)
        return Fetched(profile=profile, media=[self._video(video) for video in videos.get("items") or []])

    @staticmethod
    def _profile(channel: dict) -> Profile:
        snippet, stats = channel.get("snippet") or {}, channel.get("statistics") or {}
        handle = (snippet.get("customUrl") or "").lstrip("@")
        thumbnails = snippet.get("thumbnails") or {}
        avatar = next((thumbnails[size]["url"] for size in ("high", "medium", "default") if size in thumbnails), "")
        return Profile(
            platform_user_id=channel["id"],
            username=handle or channel["id"],
            display_name=snippet.get("title", ""),
            profile_url=f"https://www.youtube.com/@{handle}"
            if handle
            else f"https://www.youtube.com/channel/{channel['id']}",
            avatar_url=avatar,
            # A channel that hides its subscriber count reports none: we store 0 rather than guess.
            followers=0 if stats.get("hiddenSubscriberCount") else as_int(stats.get("subscriberCount")),
            posts=as_int(stats.get("videoCount")),
        )

    @staticmethod
    def _video(video: dict) -> Media:
        snippet, stats = video.get("snippet") or {}, video.get("statistics") or {}
        thumbnails = snippet.get("thumbnails") or {}
        thumbnail = next(
            (thumbnails[size]["url"] for size in ("high", "medium", "standard", "default") if size in thumbnails), ""
        )
        return Media(
            platform_media_id=video["id"],
            posted_at=parse_datetime(snippet["publishedAt"]),
            media_type="video",
            caption=snippet.get("title", ""),
            thumbnail_url=thumbnail,
            permalink=f"https://www.youtube.com/watch?v={video['id']}",
            likes=as_int(stats.get("likeCount")),  # absent when likes are hidden
            comments=as_int(stats.get("commentCount")),  # absent when comments are off
            views=as_int(stats.get("viewCount")),
        )

    # -- errors
    def error_for(self, response, body) -> PlatformError:
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        if isinstance(error, str):  # the OAuth token endpoint: {"error": "invalid_grant", "error_description": …}
            description = str(body.get("error_description") or error)[:300]
            if error == "invalid_grant":
                return TokenRevoked(f"Google refused the YouTube authorisation: {description}")
            return PlatformError(f"Google OAuth error {error}: {description}", transient=status >= 500)
        error = error if isinstance(error, dict) else {}
        message = str(error.get("message") or f"HTTP {status}")[:300]
        reasons = {item.get("reason") for item in error.get("errors") or [] if isinstance(item, dict)}
        if status == 401:
            return TokenRevoked(f"YouTube no longer accepts our access: {message}")
        if "quotaExceeded" in reasons:
            return RateLimited(f"YouTube daily quota used up: {message}", retry_after=seconds_until_quota_reset())
        if reasons & RATE_LIMIT_REASONS or status == 429:
            return RateLimited(
                f"YouTube rate limit reached: {message}", retry_after=self.retry_after_header(response, 60)
            )
        if status == 403 and reasons & PERMISSION_REASONS:
            return TokenRevoked(f"YouTube access is missing a permission: {message}")
        return PlatformError(f"YouTube error: {message}", transient=status >= 500)
