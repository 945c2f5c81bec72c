"""The [voice] table of the site file, and which voice gets picked."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from display_server.voice import settings_for
from display_server.voice.settings import VoiceSettings
from display_server.voice.voices import VoiceInfo, choose_voice


def test_defaults_without_a_voice_table() -> None:
    settings = VoiceSettings.from_site({"office": {"name": "x"}})
    assert settings == VoiceSettings()
    assert (settings.enabled, settings.language, settings.repeat) == (True, "vi", 2)
    assert settings.number_style == "value" and settings.chime and settings.play_on_server
    assert settings.active_template == "Mời công dân có số thứ tự {number} đến quầy số {counter}"


def test_every_setting_is_read() -> None:
    site = {
        "voice": {
            "enabled": False,
            "language": "en",
            "voice": "south",
            "rate": 130,
            "volume": 0.5,
            "template": "Số {number}, quầy {counter}",
            "template_en": "Number {number} to desk {counter}",
            "number_style": "digits",
            "dialect": "south",
            "repeat": 3,
            "chime": False,
            "play_on_server": False,
            "device": "plughw:1,0",
            "player": ["paplay", "{file}"],
        }
    }
    settings = VoiceSettings.from_site(site)
    assert settings.active_template == "Number {number} to desk {counter}"
    assert (settings.rate, settings.volume, settings.repeat) == (130, 0.5, 3)
    assert settings.southern and not settings.chime and not settings.enabled
    assert settings.player == ["paplay", "{file}"] and settings.device == "plughw:1,0"


def test_bad_values_are_logged_and_replaced(caplog: pytest.LogCaptureFixture) -> None:
    site = {"voice": {"rate": "fast", "repeat": 0, "language": "fr", "volume": 2, "colour": 1}}
    with caplog.at_level(logging.WARNING):
        settings = VoiceSettings.from_site(site)
    assert settings == VoiceSettings()
    assert len(caplog.records) == 5


def test_app_config_overrides_the_site_file() -> None:
    app = Flask(__name__)
    app.config["LUOT_SITE"] = {"voice": {"enabled": True, "repeat": 1}}
    app.config["LUOT_VOICE_ENABLED"] = False
    settings = settings_for(app)
    assert not settings.enabled and settings.repeat == 1
    app.config["LUOT_VOICE_ENABLED"] = None
    assert settings_for(app).enabled


ESPEAK = [
    VoiceInfo("gmw/en", "English (Great Britain)", ("en-gb",)),
    VoiceInfo("aav/vi-vn-x-central", "Vietnamese (Central)", ("vi-vn-x-central",)),
    VoiceInfo("aav/vi", "Vietnamese (Northern)", ("vi",)),
    VoiceInfo("aav/vi-vn-x-south", "Vietnamese (Southern)", ("vi-vn-x-south",)),
]
WINDOWS = [
    VoiceInfo(r"HKLM\...\TTS_MS_EN-US_DAVID_11.0", "Microsoft David Desktop", ("en-US",)),
    VoiceInfo(r"HKLM\...\MSTTS_V110_enUS_AnnaM", "Microsoft Anna", ("en-US",)),
    VoiceInfo(r"HKLM\...\MSTTS_V110_viVN_An", "Microsoft An", ("vi-VN",)),
]


def test_voice_choice() -> None:
    assert choose_voice(ESPEAK, "", "vi") == ESPEAK[2]  # plain "vi" before regional variants
    assert choose_voice(ESPEAK, "south", "vi") == ESPEAK[3]
    assert choose_voice(ESPEAK, "AAV/VI-VN-X-CENTRAL", "vi") == ESPEAK[1]
    assert choose_voice(ESPEAK, "", "en") == ESPEAK[0]
    assert choose_voice(ESPEAK, "no such voice", "vi") == ESPEAK[2]
    assert choose_voice(WINDOWS, "", "vi") == WINDOWS[2]
    assert choose_voice(WINDOWS[:2], "", "vi") is None  # "Microsoft Anna" is not "An"
    nameless_language = [VoiceInfo("com.apple.voice.compact.vi-VN.Linh", "Linh", ())]
    assert choose_voice(nameless_language, "", "vi") == nameless_language[0]
