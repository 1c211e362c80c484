"""TikTok accounts through the Display API (open.tiktokapis.com v2: user/info and video/list).

Login Kit's OAuth gives an access token of about a day and a refresh token that rotates: every refresh
answers with a new refresh token that replaces the old one, so we always store the newest.
Every data answer carries {"error": {"code": "ok", …}}; any other code is an error even with HTTP 200.
"""

import datetime

from django.conf import settings

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

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
TOKEN_URL = "https://open.tiktokapis.com/v2/oauth/token/"
USER_INFO_URL = "https://open.tiktokapis.com/v2/user/info/"
VIDEO_LIST_URL = "https://open.tiktokapis.com/v2/video/list/"
SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"
USER_FIELDS = (
    "open_id,union_id,avatar_url,display_name,username,profile_deep_link,"
    "follower_count,following_count,likes_count,video_count"
)
VIDEO_FIELDS = "id,title,video_description,create_time,cover_image_url,share_url,like_count,comment_count,view_count"
MAX_VIDEOS = 20  # the most video/list returns per page
TOKEN_ERRORS = {"access_token_invalid", "scope_not_authorized", "scope_permission_missed"}


class TikTokClient(PlatformClient):
    platform = "tiktok"
    label = "TikTok"

    @classmethod
    def credentials(cls) -> tuple[str, str]:
        return settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET

    # -- OAuth
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        client_key, _ = self.require_configured()
        return self.with_query(
            AUTHORIZE_URL,
            {
                "client_key": client_key,
                "scope": SCOPES,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "state": state,
            },
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        client_key, secret = self.require_configured()
        data = {
            "client_key": client_key,
            "client_secret": secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        if code_verifier:  # apps (mobile, desktop) use PKCE
            data["code_verifier"] = code_verifier
        return self._tokens(self._token_call(data))

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise TokenRevoked("The TikTok connection has no refresh token. Connect the account again.")
        client_key, secret = self.require_configured()
        body = self._token_call(
            {
                "client_key": client_key,
                "client_secret": secret,
                "grant_type": "refresh_token",
                "refresh_token": tokens.refresh_token,
            }
        )
        return self._tokens(body)

    def _token_call(self, data: dict) -> dict:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"}
        return self.request("POST", TOKEN_URL, data=data, headers=headers)

    @staticmethod
    def _tokens(body: dict) -> TokenSet:
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=expires_at(body.get("expires_in")),
            scopes=body.get("scope", ""),
        )

    # -- data
    def _user(self, tokens: TokenSet) -> dict:
        body = self.request(
            "GET",
            USER_INFO_URL,
            params={"fields": USER_FIELDS},
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
        return (body.get("data") or {}).get("user") or {}

    def connectable_profiles(self, tokens: TokenSet) -> list[Profile]:
        return [self._profile(self._user(tokens))]

    def fetch(self, *, platform_user_id: str, tokens: TokenSet) -> Fetched:
        profile = self._profile(self._user(tokens))
        if profile.platform_user_id != platform_user_id:
            raise TokenRevoked("This TikTok login belongs to another account. Connect the account again.")
        body = self.request(
            "POST",
            VIDEO_LIST_URL,
            params={"fields": VIDEO_FIELDS},
            json={"max_count": MAX_VIDEOS},
            headers={"Authorization": f"Bearer {tokens.access_token}", "Content-Type": "application/json"},
        )
        videos = (body.get("data") or {}).get("videos") or []
        return Fetched(profile=profile, media=[self._video(video) for video in videos])

    @staticmethod
    def _profile(user: dict) -> Profile:
        if not user.get("open_id"):
            raise PlatformError("TikTok answered without the account's id.")
        username = user.get("username") or user["open_id"]
        return Profile(
            platform_user_id=user["open_id"],
            username=username,
            display_name=user.get("display_name", ""),
            profile_url=user.get("profile_deep_link") or f"https://www.tiktok.com/@{username}",
            avatar_url=user.get("avatar_url", ""),
            followers=as_int(user.get("follower_count")),
            following=as_int(user.get("following_count")),
            posts=as_int(user.get("video_count")),
        )

    @staticmethod
    def _video(video: dict) -> Media:
        return Media(
            platform_media_id=str(video["id"]),
            posted_at=datetime.datetime.fromtimestamp(as_int(video.get("create_time")), tz=datetime.UTC),
            media_type="video",
            caption=video.get("title") or video.get("video_description", ""),
            thumbnail_url=video.get("cover_image_url", ""),  # TikTok signs it for about 6 hours
            permalink=video.get("share_url", ""),
            likes=as_int(video.get("like_count")),
            comments=as_int(video.get("comment_count")),
            views=as_int(video.get("view_count")) if "view_count" in video else None,
        )

    # -- errors
    def is_error_body(self, body) -> bool:
        if not isinstance(body, dict):
            return False
        error = body.get("error")
        if isinstance(error, str):
            return bool(error)
        return isinstance(error, dict) and error.get("code") not in (None, "", "ok")

    def error_for(self, response, body) -> PlatformError:
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        if isinstance(error, str):  # the OAuth token endpoint: {"error": "invalid_grant", "error_description": …}
            description = str(body.get("error_description") or error)[:300]
            if error == "invalid_grant":
                return TokenRevoked(f"TikTok refused the authorisation: {description}")
            return PlatformError(f"TikTok OAuth error {error}: {description}", transient=status >= 500)
        error = error if isinstance(error, dict) else {}
        code, message = error.get("code", ""), str(error.get("message") or f"HTTP {status}")[:300]
        if code in TOKEN_ERRORS or status == 401:
            return TokenRevoked(f"TikTok no longer accepts our access ({code or status}): {message}")
        if code == "rate_limit_exceeded" or status == 429:
            return RateLimited(
                f"TikTok rate limit reached: {message}", retry_after=self.retry_after_header(response, 60)
            )
        return PlatformError(
            f"TikTok error {code or status}: {message}", transient=status >= 500 or code == "internal_error"
        )
