"""Instagram professional (business or creator) accounts through the Instagram Graph API.

The creator logs in with Facebook and shares the Pages their Instagram accounts are linked to;
`/me/accounts` lists those Pages with their `instagram_business_account`, and each one we find becomes
a connected account. Personal Instagram accounts have no API access and cannot be connected.
"""

from django.conf import settings

from .base import Fetched, Media, PlatformError, Profile, TokenSet, as_int
from .graph import GraphClient, parse_time

PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count,profile_picture_url"
MEDIA_FIELDS = "id,media_type,caption,media_url,thumbnail_url,permalink,timestamp,like_count,comments_count"


class InstagramClient(GraphClient):
    platform = "instagram"
    label = "Instagram"
    scopes = ("instagram_basic", "pages_show_list", "pages_read_engagement")

    @classmethod
    def credentials(cls) -> tuple[str, str]:
        return settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET

    def connectable_profiles(self, tokens: TokenSet) -> list[Profile]:
        pages = self.get(
            "me/accounts", access_token=tokens.access_token, fields="id,name,instagram_business_account", limit=100
        )
        ids = [
            page["instagram_business_account"]["id"]
            for page in pages.get("data", [])
            if (page.get("instagram_business_account") or {}).get("id")
        ]
        if not ids:
            raise PlatformError(
                "None of the Facebook Pages you shared has an Instagram professional account linked to it. "
                "Link your Instagram account to a Facebook Page (Instagram settings → Account type and tools), "
                "then connect again."
            )
        return [
            self._profile(self.get(ig_id, access_token=tokens.access_token, fields=PROFILE_FIELDS)) for ig_id in ids
        ]

    def fetch(self, *, platform_user_id: str, tokens: TokenSet) -> Fetched:
        profile = self.get(platform_user_id, access_token=tokens.access_token, fields=PROFILE_FIELDS)
        media = self.get(f"{platform_user_id}/media", access_token=tokens.access_token, fields=MEDIA_FIELDS, limit=25)
        return Fetched(profile=self._profile(profile), media=[self._media(item) for item in media.get("data", [])])

    @staticmethod
    def _profile(body: dict) -> Profile:
        username = body.get("username") or body["id"]
        return Profile(
            platform_user_id=str(body["id"]),
            username=username,
            display_name=body.get("name", ""),
            profile_url=f"https://www.instagram.com/{username}/",
            avatar_url=body.get("profile_picture_url", ""),
            followers=as_int(body.get("followers_count")),
            following=as_int(body.get("follows_count")),
            posts=as_int(body.get("media_count")),
        )

    @staticmethod
    def _media(item: dict) -> Media:
        # Videos (reels) have a thumbnail_url; images and carousels show their media_url.
        return Media(
            platform_media_id=str(item["id"]),
            posted_at=parse_time(item["timestamp"]),
            media_type=item.get("media_type", ""),
            caption=item.get("caption", ""),
            thumbnail_url=item.get("thumbnail_url") or item.get("media_url", ""),
            permalink=item.get("permalink", ""),
            likes=as_int(item.get("like_count")),  # absent when the owner hid like counts
            comments=as_int(item.get("comments_count")),
        )
