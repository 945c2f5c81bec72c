"""The API client against a real `luot serve`: sign-in, errors as sentences, retries done once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from counter_app.api_client import ApiClient
from counter_app.errors import ServerError, SessionExpired, Unreachable
from counter_app.state import Action, ActionRequest
from tests.counter_app.window import issue
from tests.factories import PASSWORD, make_site
from tests.servers import LiveServer, free_port, write_site


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("api-client")
    live = LiveServer(folder, write_site(folder / "site.toml", make_site())).start()
    yield live
    live.stop()


@pytest.fixture
def make_client(server: LiveServer) -> Iterator[Callable[..., ApiClient]]:
    """Clients of the test server, all closed afterwards."""
    made: list[ApiClient] = []

    def make(**options: Any) -> ApiClient:
        made.append(ApiClient(server.url, **options))
        return made[-1]

    yield make
    for api in made:
        api.close()


def free_counter_3(api: ApiClient) -> None:
    """Sign in as Bình at counter 3 (services D and C) and finish whatever is there."""
    api.login("binh", PASSWORD, 3)
    if api.counter(3)["current_ticket"]:
        api.perform(3, ActionRequest(Action.FINISH))


@pytest.fixture
def client(make_client: Callable[..., ApiClient]) -> ApiClient:
    """Officer Bình at an idle counter 3."""
    api = make_client()
    free_counter_3(api)
    return api


class DropNextAnswer(httpx.BaseTransport):
    """Delivers requests to the server; once armed, loses the next answer as a timeout would."""

    def __init__(self, *, armed: bool = True) -> None:
        self.inner = httpx.HTTPTransport()
        self.armed = armed
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.keys.append(request.headers.get("Idempotency-Key"))
        if self.armed:
            self.armed = False
            response.read()
            response.close()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_sign_in_and_who_am_i(make_client: Callable[..., ApiClient]) -> None:
    api = make_client()
    answer = api.login("hung", PASSWORD, 2)
    assert api.token == answer["token"]
    assert answer["counter"]["number"] == 2
    assert api.me()["officer"]["username"] == "hung"
    assert set(api.my_day()) >= {"served", "no_show", "transferred", "average_service_minutes"}
    assert {s["code"] for s in api.services()} == {"A", "B", "C", "D"}
    api.logout()
    assert api.token is None


def test_wrong_password_is_a_sentence_not_an_expiry(make_client: Callable[..., ApiClient]) -> None:
    api = make_client()
    with pytest.raises(ServerError) as refused:
        api.login("hung", "sai", 2)
    assert not isinstance(refused.value, SessionExpired)
    assert refused.value.message == "Sai tên đăng nhập hoặc mật khẩu."


def test_same_key_twice_calls_one_ticket(server: LiveServer, client: ApiClient) -> None:
    first, second = issue(server, "D"), issue(server, "D")
    request = ActionRequest(Action.CALL_NEXT)
    called = client.perform(3, request)
    replayed = client.perform(3, request)
    assert called["id"] == replayed["id"] == first["id"]
    assert client.ticket(second["id"])["status"] == "waiting"
    with pytest.raises(ServerError) as busy:  # a new press is a new action: refused, not run
        client.perform(3, ActionRequest(Action.CALL_NEXT))
    assert busy.value.code == "counter_busy"


def test_a_lost_answer_is_retried_with_the_same_key(
    server: LiveServer, make_client: Callable[..., ApiClient]
) -> None:
    transport = DropNextAnswer(armed=False)
    api = make_client(transport=transport, retry_delays=(0.05, 0.05))
    free_counter_3(api)
    issue(server, "D")
    waiting = issue(server, "D")
    transport.keys.clear()
    transport.armed = True
    called = api.perform(3, ActionRequest(Action.CALL_NEXT))
    assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1] is not None
    assert api.counter(3)["current_ticket"]["id"] == called["id"]
    assert api.ticket(waiting["id"])["status"] == "waiting"  # the retry did not call another
    api.perform(3, ActionRequest(Action.FINISH))


def test_a_post_without_a_key_is_not_resent_after_it_left(
    make_client: Callable[..., ApiClient],
) -> None:
    transport = DropNextAnswer()
    api = make_client(transport=transport, retry_delays=(0.01,))
    with pytest.raises(Unreachable):
        api.request("POST", "/tickets", body={"service": "C"})
    assert len(transport.keys) == 1


def test_server_errors_come_as_sentences_in_the_chosen_language(
    server: LiveServer, client: ApiClient
) -> None:
    with pytest.raises(ServerError) as empty:
        client.perform(3, ActionRequest(Action.FINISH))
    assert empty.value.status == 409 and empty.value.code == "no_current_ticket"
    assert empty.value.message == "Quầy 3 chưa gọi số nào."
    client.language = "en"
    with pytest.raises(ServerError) as english:
        client.perform(3, ActionRequest(Action.FINISH))
    assert english.value.message == "Counter 3 has not called anyone."
    with pytest.raises(ServerError) as unknown:
        client.perform(3, ActionRequest(Action.CALL_NUMBER, {"number": "Z999"}))
    assert unknown.value.status == 404


def test_a_revoked_token_is_a_session_expiry(
    server: LiveServer, make_client: Callable[..., ApiClient]
) -> None:
    api = make_client()
    api.login("hung", PASSWORD, 2)
    token = api.token
    httpx.post(
        f"{server.url}/api/v1/auth/logout",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    with pytest.raises(SessionExpired) as expired:
        api.my_day()
    assert "đăng nhập lại" in expired.value.message


def test_no_server_is_unreachable_quickly() -> None:
    api = ApiClient(f"http://127.0.0.1:{free_port()}", retry_delays=(0.01, 0.01))
    try:
        with pytest.raises(Unreachable) as lost:
            api.queue()
    finally:
        api.close()
    assert lost.value.message == "Mất kết nối máy chủ"


def test_reprint_answers_or_explains(server: LiveServer, client: ApiClient) -> None:
    ticket = issue(server, "C")
    try:
        answer = client.perform(3, ActionRequest(Action.REPRINT, ticket_id=ticket["id"]))
    except ServerError as error:  # the printing feature may be absent or have no printer here
        assert error.message and "Traceback" not in error.message
    else:
        assert isinstance(answer, dict)
