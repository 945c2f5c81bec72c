"""HTTP: the latest announcements, one announcement, and its audio (audio/wav)."""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, current_app, jsonify, send_file

from ..api.context import int_arg
from ..api.errors import ApiError
from . import EXTENSION_KEY, VoiceExtension
from .announcement import PENDING, Announcement

blueprint = Blueprint("voice", __name__, url_prefix="/api/v1/announcements")

MAX_LIMIT = 200
DEFAULT_LIMIT = 20


@blueprint.get("")
def list_announcements() -> Response:
    """The latest announcements, newest first (`?limit=`, `?office_id=`)."""
    limit = int_arg("limit", DEFAULT_LIMIT, maximum=MAX_LIMIT) or DEFAULT_LIMIT
    office_id = int_arg("office_id", None)
    extension = _extension()
    items = [a.to_json() for a in extension.latest(limit, office_id)]
    return jsonify({"announcements": items, "enabled": extension.enabled})


@blueprint.get("/<int:announcement_id>")
def get_announcement(announcement_id: int) -> Response:
    """One announcement: its text, status and audio URL."""
    return jsonify(_find(announcement_id).to_json())


@blueprint.get("/<int:announcement_id>/audio")
def announcement_audio(announcement_id: int) -> Response:
    """The announcement's WAV: chime, then the words (twice by default)."""
    announcement = _find(announcement_id)
    path = announcement.audio_path
    if path is None:
        if announcement.status == PENDING:
            _fail(409, "audio_not_ready", "Âm thanh của thông báo này đang được chuẩn bị.")
        _fail(404, "no_audio", "Thông báo này không có âm thanh.")
    if not path.is_file():
        _fail(410, "audio_gone", "Âm thanh của thông báo này không còn được lưu.")
    return send_file(
        path,
        mimetype="audio/wav",
        conditional=True,
        max_age=None,  # revalidate: announcement ids start again at 1 when the server restarts
        download_name=f"announcement-{announcement_id}.wav",
    )


def _extension() -> VoiceExtension:
    """The voice extension of the current app."""
    extension: VoiceExtension = current_app.extensions[EXTENSION_KEY]
    return extension


def _find(announcement_id: int) -> Announcement:
    """The announcement or a 404."""
    announcement = _extension().get(announcement_id)
    if announcement is None:
        _fail(404, "announcement_not_found", "Không có thông báo số {id}.", id=announcement_id)
    return announcement


def _fail(status: int, code: str, message: str, **params: object) -> NoReturn:
    """Raise the API's JSON error ({"error": code, "message": text in the request's language})."""
    raise ApiError(status, code, message, **params)
