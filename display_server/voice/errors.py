"""Errors of the voice package. None of them ever reaches a request or fails a call.

VoiceError
├── SynthesisError      the speech engine (worker process or espeak-ng) gave no audio
│   └── InvalidAudioError   a file was written but is not usable speech (empty, silent, …)
└── PlaybackError       the server's player could not play a file
"""

from __future__ import annotations


class VoiceError(Exception):
    """Base of every error raised by `display_server.voice`."""


class SynthesisError(VoiceError):
    """No usable speech came out of an engine."""


class InvalidAudioError(SynthesisError):
    """A WAV file exists but fails a check: missing, not a WAV, empty, too short or long, silent."""


class PlaybackError(VoiceError):
    """The player command failed or is missing."""
