"""The announcements API on the real app: a call through the API becomes playable audio."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Callable
from typing import Any

import psutil
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import issue, login, make_site

VOICE = "display_server.voice"


def _voice_site(**voice: Any) -> dict[str, Any]:
    site = make_site()
    site["voice"] = {"play_on_server": False, **voice}
    return site


def _wait_ready(client: FlaskClient, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get("/api/v1/announcements").get_json()
        items: list[dict[str, Any]] = body["announcements"]
        if len(items) >= count and all(a["status"] != "pending" for a in items):
            return items
        assert time.monotonic() < deadline, items
        time.sleep(0.05)


def test_a_call_is_announced_with_playable_audio(make_app: Callable[..., Flask]) -> None:
    app = make_app(_voice_site(), features=[VOICE])
    client = app.test_client()
    ready: list[dict[str, Any]] = []
    app.extensions["luot.bus"].subscribe(
        lambda e: ready.append(e.data) if e.kind == "announcement.ready" else None
    )
    headers = login(client, "lan", counter=1)
    first = issue(client, "A")
    second = issue(client, "A")
    assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 200
    assert client.post("/api/v1/counters/1/recall", headers=headers).status_code == 200

    items = _wait_ready(client, 2)
    recall, call = items  # newest first
    assert call["ticket_number"] == first["number"] and call["counter"] == 1
    assert call["kind"] == "call" and recall["kind"] == "recall"
    assert call["text"].startswith("Mời công dân có số thứ tự A ")
    assert call["text"].endswith(" đến quầy số một")
    assert {"id", "text", "ticket_number", "counter", "time", "audio_url", "status"} <= call.keys()
    assert [r["id"] for r in ready] == [call["id"], recall["id"]]
    assert second["number"] not in {a["ticket_number"] for a in items}

    one = client.get(f"/api/v1/announcements/{call['id']}")
    assert one.status_code == 200 and one.get_json()["text"] == call["text"]
    with client.get(call["audio_url"]) as audio:
        assert audio.status_code == 200 and audio.mimetype == "audio/wav"
        assert "no-cache" in audio.headers["Cache-Control"]  # ids restart with the server
        body = audio.data
    with wave.open(io.BytesIO(body)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
    assert 4 < seconds < 20  # chime + the sentence twice


def test_unknown_announcement_is_a_json_404(make_app: Callable[..., Flask]) -> None:
    app = make_app(_voice_site(), features=[VOICE])
    client = app.test_client()
    for url in ("/api/v1/announcements/999", "/api/v1/announcements/999/audio"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json() == {
            "error": "announcement_not_found",
            "message": "Không có thông báo số 999.",
        }
    english = client.get("/api/v1/announcements/999?lang=en").get_json()
    assert english["message"] == "No announcement 999."


def test_disabled_voice_starts_no_process(make_app: Callable[..., Flask]) -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    app = make_app(_voice_site(enabled=True), features=[VOICE], LUOT_VOICE_ENABLED=False)
    client = app.test_client()
    headers = login(client, "lan", counter=1)
    issue(client, "A")
    assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 200
    body = client.get("/api/v1/announcements").get_json()
    assert body == {"announcements": [], "enabled": False}
    # No announcer exists to start a speech process: that, not a pause, is the proof.
    assert app.extensions["luot.voice"].announcer is None
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before


def test_administration_changes_apply_without_restart(make_app: Callable[..., Flask]) -> None:
    from display_server.settings import save_section

    app = make_app(_voice_site(repeat=2), features=[VOICE])
    client = app.test_client()
    headers = login(client, "lan", counter=1)
    for _ in range(4):
        issue(client, "A")

    def call_next() -> None:
        client.post("/api/v1/counters/1/start", headers=headers)
        client.post("/api/v1/counters/1/finish", headers=headers)
        assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 200

    def call_and_wait(count: int) -> dict[str, Any]:
        call_next()
        return _wait_ready(client, count)[0]

    before = call_and_wait(1)
    save_section(app, "voice", {"repeat": 1, "template": "Số {number}, mời đến quầy {counter}"})
    after = call_and_wait(2)
    assert after["text"].startswith("Số A ") and after["text"].endswith(", mời đến quầy một")
    assert after["duration"] < before["duration"]

    worker = app.extensions["luot.voice"].announcer.engine.worker_pid
    save_section(app, "voice", {"enabled": False})
    call_next()
    assert worker is not None
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)  # switched off: its worker is gone
    assert len(client.get("/api/v1/announcements").get_json()["announcements"]) == 2
    assert client.get("/api/v1/announcements").get_json()["enabled"] is False

    save_section(app, "voice", {"enabled": True})
    assert call_and_wait(3)["status"] == "ready"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_the_openapi_document_describes_the_announcements(make_app: Callable[..., Flask]) -> None:
    from jsonschema.validators import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    app = make_app(_voice_site(repeat=1), features=[VOICE])
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:luot", DRAFT202012.create_resource(document))

    def validate(name: str, body: Any) -> None:
        schema = {"$ref": f"urn:luot#/components/schemas/{name}"}
        errors = list(Draft202012Validator(schema, registry=registry).iter_errors(body))
        assert not errors, [e.message for e in errors[:3]]

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/announcements"):
            path = rule.rule.replace("<int:announcement_id>", "{announcement_id}")
            assert "get" in document["paths"][path]
    headers = login(client, "lan", counter=1)
    issue(client, "B")
    assert client.post("/api/v1/counters/1/call-next", headers=headers).status_code == 200
    listing = _wait_ready(client, 1)
    validate("Announcements", client.get("/api/v1/announcements").get_json())
    validate("Announcement", client.get(listing[0]["audio_url"].removesuffix("/audio")).get_json())
    with client.get(listing[0]["audio_url"], headers={"Range": "bytes=0-43"}) as partial:
        assert partial.status_code == 206 and partial.data[:4] == b"RIFF"
