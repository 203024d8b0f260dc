"""OAuth 2 client-credentials tokens, cached until shortly before they expire.

Used by Genesys Cloud (`POST https://login.{env}/oauth/token`, Basic client_id:secret,
`grant_type=client_credentials`). The token and the secret are registered with the HTTP
seam so they are masked in every log line and error text.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from monitor.collectors.base import Clock
from monitor.collectors.http import HttpClient
from monitor.errors import PermanentError

# Refresh a little early so a token never expires between our check and the vendor's.
EXPIRY_MARGIN = timedelta(seconds=60)


class ClientCredentials:
    """An `Auth` for the HTTP seam: `Authorization: Bearer <cached token>`."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, clock: Clock) -> None:
        self.token_url, self.client_id = token_url, client_id
        self._secret = client_secret
        self._clock = clock
        self._token: str | None = None
        self._expires: datetime | None = None
        self._lock = threading.Lock()
        self.fetched = 0  # how many tokens were obtained (for tests and stats)

    def headers(self, http: HttpClient) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(http)}"}

    def invalidate(self) -> None:
        with self._lock:
            self._token, self._expires = None, None

    def token(self, http: HttpClient) -> str:
        with self._lock:
            if self._token is not None and self._expires is not None and (
                self._clock() < self._expires - EXPIRY_MARGIN
            ):
                return self._token
            http.add_secret(self._secret)
            body = http.post_json(
                self.token_url,
                data={"grant_type": "client_credentials"},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                basic=(self.client_id, self._secret),
            )
            if not isinstance(body, dict) or not body.get("access_token"):
                raise PermanentError(f"POST {self.token_url}: no access_token in the answer")
            token = str(body["access_token"])
            http.add_secret(token)
            lifetime = float(body.get("expires_in") or 300)
            self._token = token
            self._expires = self._clock() + timedelta(seconds=lifetime)
            self.fetched += 1
            return token
