"""NICE CXone tokens and API discovery (research/vendor_apis_2.md §1.1-1.2).

Two ways in, chosen by `sources.auth`:

- `access-key` (default, documented on NICE's Data Extraction page [1st]):
  `POST https://{area}.nice-incontact.com/authentication/v1/token/access-key` with
  `{"accessKeyId", "accessKeySecret"}` -> `access_token`, `refresh_token`, `expires_in`;
  refreshed before expiry with `POST .../public/user/refresh` `{"token": refresh_token}`
  -> `token`, `refreshToken`, `tokenExpirationTimeSec`; a failed refresh falls back to the
  access key.
- `password`: the OAuth password grant at `{issuer}/auth/token` (Basic client_id:secret,
  `username`/`password` = the access key) -> `access_token`, `id_token`, `expires_in`.
  Seen only in third-party code [UNCERTAIN], hence not the default.

The API base comes from `{issuer}/.well-known/cxone-configuration?tenantId=...`
(`api_endpoint`), the tenant id from `sources.tenant_id` or the token's JWT claims
(`tenantId`); `sources.api_host` skips discovery.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from datetime import datetime, timedelta
from typing import Any

from monitor.collectors.base import Clock
from monitor.collectors.http import HttpClient
from monitor.errors import PermanentError

EXPIRY_MARGIN = timedelta(seconds=60)  # refresh before the vendor's clock says expired


def _get(body: Any, *names: str) -> Any:
    """A field by any of `names`, case-insensitively (NICE mixes camel and Pascal case)."""
    if not isinstance(body, dict):
        return None
    lowered = {str(k).lower(): v for k, v in body.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None and value != "":
            return value
    return None


def jwt_claims(token: str | None) -> dict[str, Any]:
    """The unverified claims of a JWT (we only read routing hints, never trust identity)."""
    if not token or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return data if isinstance(data, dict) else {}


class NiceAuth:
    """An `Auth` for the HTTP seam: `Authorization: Bearer <token>`, refreshed early."""

    def __init__(self, *, mode: str, token_url: str, refresh_url: str | None,
                 key_id: str, key_secret: str, client: tuple[str, str] | None,
                 clock: Clock) -> None:
        if mode not in ("access-key", "password"):
            raise PermanentError(f"sources.auth must be access-key or password, not {mode!r}")
        self.mode, self.token_url, self.refresh_url = mode, token_url, refresh_url
        self._key = (key_id, key_secret)
        self._client = client
        self._clock = clock
        self._token: str | None = None
        self._refresh: str | None = None
        self._expires: datetime | None = None
        self.claims: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.fetched = self.refreshed = 0

    def headers(self, http: HttpClient) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(http)}"}

    def invalidate(self) -> None:
        with self._lock:
            self._token = self._expires = None

    def token(self, http: HttpClient) -> str:
        with self._lock:
            now = self._clock()
            if self._token and self._expires and now < self._expires - EXPIRY_MARGIN:
                return self._token
            http.add_secret(self._key[1])
            if self._client:
                http.add_secret(self._client[1])
            if self._refresh and self.refresh_url and self._token is not None:
                try:
                    return self._use_refresh(http)
                except PermanentError:
                    pass  # a refresh token that expired too: start over with the key
            return self._authenticate(http)

    def _authenticate(self, http: HttpClient) -> str:
        if self.mode == "access-key":
            body = http.post_json(self.token_url, json={"accessKeyId": self._key[0],
                                                        "accessKeySecret": self._key[1]})
        else:
            assert self._client is not None
            body = http.post_json(
                self.token_url, basic=self._client,
                data={"grant_type": "password", "username": self._key[0],
                      "password": self._key[1]},
                headers={"Content-Type": "application/x-www-form-urlencoded"})
        token = _get(body, "access_token", "token")
        if not token:
            raise PermanentError(f"POST {self.token_url}: no access_token in the answer")
        self.fetched += 1
        self.claims = {**jwt_claims(_get(body, "id_token")), **jwt_claims(str(token))}
        return self._keep(http, str(token), _get(body, "refresh_token", "refreshToken"),
                          _get(body, "expires_in", "tokenExpirationTimeSec"))

    def _use_refresh(self, http: HttpClient) -> str:
        assert self.refresh_url is not None
        body = http.post_json(self.refresh_url, json={"token": self._refresh})
        token = _get(body, "token", "access_token")
        if not token:
            raise PermanentError(f"POST {self.refresh_url}: no token in the answer")
        self.refreshed += 1
        return self._keep(http, str(token), _get(body, "refreshToken", "refresh_token"),
                          _get(body, "tokenExpirationTimeSec", "expires_in"))

    def _keep(self, http: HttpClient, token: str, refresh: Any, lifetime: Any) -> str:
        http.add_secret(token)
        if refresh:
            http.add_secret(str(refresh))
        exp = self.claims.get("exp")
        if lifetime is not None:
            seconds = float(lifetime)
        elif isinstance(exp, int | float):  # no lifetime in the body: trust the JWT
            seconds = max(0.0, exp - self._clock().timestamp())
        else:
            seconds = 300.0
        self._token, self._refresh = token, str(refresh) if refresh else self._refresh
        self._expires = self._clock() + timedelta(seconds=seconds)
        return token


def discover_api(http: HttpClient, issuer: str, tenant_id: str) -> str:
    """`api_endpoint` from the CXone configuration document."""
    url = f"{issuer.rstrip('/')}/.well-known/cxone-configuration"
    body = http.get_json(url, params={"tenantId": tenant_id})
    endpoint = _get(body, "api_endpoint", "apiEndpoint")
    if not endpoint:
        raise PermanentError(f"GET {url}: no api_endpoint for tenant {tenant_id}")
    endpoint = str(endpoint)
    return (endpoint if "://" in endpoint else f"https://{endpoint}").rstrip("/")
