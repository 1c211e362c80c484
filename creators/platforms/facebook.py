"""Facebook Pages through the Graph API.

Each Page the creator shares in the Facebook Login dialog becomes a connected account. We store the
long-lived user token; at every sync it yields the Page's own token (`/{page-id}?fields=access_token`),
which is what reading a Page's posts needs, so Page tokens are never stored.
"""

from django.conf import settings

from .base import Fetched, Media, PlatformError, Profile, TokenSet, as_int
from .graph import GraphClient, parse_time

PAGE_FIELDS = "id,name,username,link,followers_count,fan_count,picture"
POST_FIELDS = "id,message,created_time,permalink_url,full_picture,likes.summary(true),comments.summary(true)"


class FacebookClient(GraphClient):
    platform = "facebook"
    label = "Facebook"
    scopes = ("pages_show_list", "pages_read_engagement")

    @classmethod
    def credentials(cls) -> tuple[str, str]:
        return settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET

    def connectable_profiles(self, tokens: TokenSet) -> list[Profile]:
        pages = self.get("me/accounts", access_token=tokens.access_token, fields="id,name,access_token", limit=100)
        found = [page for page in pages.get("data", []) if page.get("access_token")]
        if not found:
            raise PlatformError("You did not share any Facebook Page with Influmojo. Connect again and pick your Page.")
        return [
            self._profile(self.get(page["id"], access_token=page["access_token"], fields=PAGE_FIELDS)) for page in found
        ]

    def fetch(self, *, platform_user_id: str, tokens: TokenSet) -> Fetched:
        page_token = self.get(platform_user_id, access_token=tokens.access_token, fields="access_token").get(
            "access_token"
        )
        if not page_token:
            raise PlatformError("Facebook did not give access to this Page; are you still one of its admins?")
        page = self.get(platform_user_id, access_token=page_token, fields=PAGE_FIELDS)
        posts = self.get(f"{platform_user_id}/posts", access_token=page_token, fields=POST_FIELDS, limit=25)
        return Fetched(profile=self._profile(page), media=[self._post(post) for post in posts.get("data", [])])

    @staticmethod
    def _profile(page: dict) -> Profile:
        page_id = str(page["id"])
        picture = ((page.get("picture") or {}).get("data") or {}).get("url", "")
        return Profile(
            platform_user_id=page_id,
            username=page.get("username") or page_id,  # Pages without a vanity name are known by id
            display_name=page.get("name", ""),
            profile_url=page.get("link") or f"https://www.facebook.com/{page_id}",
            avatar_url=picture,
            # followers_count is the current measure; fan_count (Page likes) for Pages that lack it.
            followers=as_int(page.get("followers_count") or page.get("fan_count")),
        )

    @staticmethod
    def _post(post: dict) -> Media:
        def total(edge: str) -> int:
            return as_int(((post.get(edge) or {}).get("summary") or {}).get("total_count"))

        return Media(
            platform_media_id=str(post["id"]),
            posted_at=parse_time(post["created_time"]),
            media_type="post",
            caption=post.get("message", ""),
            thumbnail_url=post.get("full_picture", ""),
            permalink=post.get("permalink_url", ""),
            likes=total("likes"),
            comments=total("comments"),
        )
