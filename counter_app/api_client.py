"""The server's JSON API over httpx, with retries that never do an action twice (no Tk here).

Every action is sent with an Idempotency-Key; a retry after a timeout or a dropped connection
sends the same key, and the server replays its stored answer instead of acting again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx

from .errors import ServerError, SessionExpired, Unreachable
from .i18n import _
from .state import Action, ActionRequest

log = logging.getLogger(__name__)

USER_AGENT = "luot-counter-app/0.1"
DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
RETRY_DELAYS: tuple[float, ...] = (0.2, 0.6)
# Transport errors raised before the request left this machine: safe to resend anything.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


class ApiClient:
    """One server, one officer's token; thread-safe (httpx.Client is)."""

    def __init__(
        self,
        server: str,
        *,
        language: str = "vi",
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.language = language
        self.token: str | None = None
        self.retry_delays = tuple(retry_delays)
        self._http = httpx.Client(
            base_url=f"{self.server}/api/v1",
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # --- plumbing ---------------------------------------------------------------------------

    def headers(self, key: str | None = None) -> dict[str, str]:
        """Headers of one request: language, token, idempotency key."""
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        key: str | None = None,
        safe_to_repeat: bool | None = None,
    ) -> dict[str, Any]:
        """Send, retrying transport failures; a POST is resent after a send only with a key."""
        if safe_to_repeat is None:
            safe_to_repeat = method == "GET" or key is not None
        retry_on: tuple[type[Exception], ...] = (
            (httpx.TransportError,) if safe_to_repeat else NOT_SENT
        )
        last: Exception | None = None
        for attempt in range(len(self.retry_delays) + 1):
            if attempt:
                time.sleep(self.retry_delays[attempt - 1])
            try:
                # Writes are always JSON, even empty ones: the server refuses any other body.
                payload = body if body is not None or method == "GET" else {}
                response = self._http.request(method, path, json=payload, headers=self.headers(key))
            except retry_on as exc:
                last = exc
                log.info("%s %s failed (%s), attempt %d", method, path, exc, attempt + 1)
                continue
            except httpx.HTTPError as exc:
                raise Unreachable(_("Mất kết nối máy chủ")) from exc
            return self._answer(response)
        raise Unreachable(_("Mất kết nối máy chủ")) from last

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success:
            if not isinstance(data, dict):
                raise ServerError(
                    response.status_code,
                    "invalid_answer",
                    _("Máy chủ trả lời không đúng định dạng."),
                )
            return data
        code, message = "http_error", _("Máy chủ báo lỗi {status}.", status=response.status_code)
        if isinstance(data, dict):
            code = str(data.get("error") or code)
            message = str(data.get("message") or message)
        if response.status_code == 401 and "Authorization" in response.request.headers:
            raise SessionExpired(401, code, message)  # a wrong password is not an expiry
        raise ServerError(response.status_code, code, message)

    # --- the API ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """GET /health: is a Lượt server there?"""
        return self.request("GET", "/health")

    def login(
        self, username: str, password: str, counter: int, *, new_password: str | None = None
    ) -> dict[str, Any]:
        """Sign in at `counter` (`new_password`: the officer's own, replacing a first password
        from the site file); keeps the token in memory only."""
        body: dict[str, Any] = {"username": username, "password": password, "counter": counter}
        if new_password is not None:
            body["new_password"] = new_password
        answer = self.request("POST", "/auth/login", body=body)
        token = answer.get("token")
        if not isinstance(token, str):
            raise ServerError(200, "invalid_answer", _("Máy chủ trả lời không đúng định dạng."))
        self.token = token
        return answer

    def logout(self) -> dict[str, Any]:
        """Sign out (the server closes the counter); the token is forgotten once it is dead."""
        try:
            answer = self.request("POST", "/auth/logout", safe_to_repeat=True)
        except SessionExpired:
            self.token = None
            raise
        self.token = None
        return answer

    def me(self) -> dict[str, Any]:
        """Who the token belongs to."""
        return self.request("GET", "/auth/me")

    def my_day(self) -> dict[str, Any]:
        """The officer's day: served, no-shows, transfers, average service minutes."""
        return self.request("GET", "/officers/me/today")

    def services(self) -> list[dict[str, Any]]:
        """Every service of the office."""
        services = self.request("GET", "/services").get("services")
        return [s for s in services or [] if isinstance(s, dict)]

    def queue(self) -> dict[str, Any]:
        """The live queue snapshot."""
        return self.request("GET", "/queue")

    def counter(self, number: int) -> dict[str, Any]:
        """One counter's state and current ticket."""
        return self.request("GET", f"/counters/{number}")

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """One ticket with its steps."""
        return self.request("GET", f"/tickets/{ticket_id}")

    def issue(self, service: str, **extra: Any) -> dict[str, Any]:
        """Issue a ticket (tests and the benchmark use it; the counter app itself does not)."""
        return self.request("POST", "/tickets", body={"service": service, **extra})

    def perform(self, counter: int, request: ActionRequest) -> dict[str, Any]:
        """Send one officer action with its idempotency key; the answer is a ticket or counter."""
        if request.action is Action.REPRINT:
            if request.ticket_id is None:
                raise ValueError("reprint needs a ticket id")
            path = f"/tickets/{request.ticket_id}/print"
        else:
            path = f"/counters/{counter}/{request.action.value}"
        return self.request("POST", path, body=request.body or {}, key=request.key)
