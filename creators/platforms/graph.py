"""Meta's Graph API, shared by the Instagram (business accounts) and Facebook Pages clients.

Both connect through Facebook Login: the code becomes a short-lived user token, which we exchange for
a long-lived one (about 60 days) and store. Before it runs out, the sync exchanges it again
(`fb_exchange_token`); once expired it cannot be refreshed and the creator has to reconnect.
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.utils import timezone

from .base import PlatformClient, PlatformError, RateLimited, TokenRevoked, TokenSet, as_int, expires_at

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
TOKEN_CODES = {102, 190}  # session / access token invalid, expired or revoked
PERMISSION_CODES = {10} | set(range(200, 300))  # a permission the account needs was removed
RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80001, 80015))  # app, user, page, custom, business use case
TRANSIENT_CODES = {1, 2}  # unknown error, service temporarily unavailable
DEFAULT_RETRY_AFTER = 15 * 60


def graph_url(path: str = "") -> str:
    return f"https://graph.facebook.com/{settings.FACEBOOK_GRAPH_API_VERSION}/{path.lstrip('/')}"


def dialog_url() -> str:
    return f"https://www.facebook.com/{settings.FACEBOOK_GRAPH_API_VERSION}/dialog/oauth"


def parse_time(value: str) -> datetime.datetime:
    """Graph timestamps look like 2026-11-20T18:01:10+0000."""
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")


class GraphClient(PlatformClient):
    scopes: tuple[str, ...] = ()
    refresh_margin = datetime.timedelta(days=7)

    def app_secret_proof(self, access_token: str) -> str:
        """Meta's recommended proof that a server call comes from the app that owns the token."""
        _, secret = self.credentials()
        return hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()

    def get(self, path: str, *, access_token: str, **params) -> dict:
        params.update(access_token=access_token, appsecret_proof=self.app_secret_proof(access_token))
        return self.request("GET", graph_url(path), params=params)

    # -- OAuth
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        client_id, _ = self.require_configured()
        return self.with_query(
            dialog_url(),
            {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": ",".join(self.scopes),
                "response_type": "code",
            },
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        client_id, secret = self.require_configured()
        params = {"client_id": client_id, "redirect_uri": redirect_uri, "client_secret": secret, "code": code}
        if code_verifier:
            params["code_verifier"] = code_verifier
        short = self.request("GET", graph_url("oauth/access_token"), params=params)
        return self._long_lived(short["access_token"])

    def refresh(self, tokens: TokenSet) -> TokenSet:
        if tokens.expires_at is not None and tokens.expires_at <= timezone.now():
            raise TokenRevoked(f"The {self.label} connection expired. Connect the account again.")
        return self._long_lived(tokens.access_token)

    def _long_lived(self, access_token: str) -> TokenSet:
        client_id, secret = self.require_configured()
        body = self.request(
            "GET",
            graph_url("oauth/access_token"),
            params={
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": secret,
                "fb_exchange_token": access_token,
            },
        )
        return TokenSet(
            access_token=body["access_token"],
            expires_at=expires_at(body.get("expires_in")),
            scopes=",".join(self.scopes),
        )

    # -- errors
    def error_for(self, response, body) -> PlatformError:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return PlatformError(
                f"{self.label} answered HTTP {response.status_code}.", transient=response.status_code >= 500
            )
        code, message = as_int(error.get("code")), str(error.get("message") or "unknown error")[:300]
        if code in TOKEN_CODES:
            return TokenRevoked(f"{self.label} no longer accepts our access: {message}")
        if code in PERMISSION_CODES:
            return TokenRevoked(f"A {self.label} permission was removed: {message}")
        if code in RATE_LIMIT_CODES or response.status_code == 429:
            return RateLimited(f"{self.label} rate limit reached: {message}", retry_after=self._retry_after(response))
        transient = code in TRANSIENT_CODES or bool(error.get("is_transient")) or response.status_code >= 500
        return PlatformError(f"{self.label} error {code}: {message}", transient=transient)

    @staticmethod
    def _retry_after(response) -> int:
        """Graph says when access comes back in X-Business-Use-Case-Usage (minutes), not in Retry-After."""
        try:
            usage = json.loads(response.headers.get("X-Business-Use-Case-Usage", "") or "{}")
            minutes = max(
                as_int(entry.get("estimated_time_to_regain_access")) for entries in usage.values() for entry in entries
            )
        except (ValueError, TypeError, AttributeError):
            minutes = 0
        return minutes * 60 if minutes else DEFAULT_RETRY_AFTER
