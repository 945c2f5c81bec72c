"""`luot say` (speak or write a test announcement) and `luot voices` (list the voices found)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from .audio import compose
from .errors import PlaybackError, SynthesisError
from .player import default_backend
from .settings import VoiceSettings
from .speech import SpeechEngine
from .text import render_announcement
from .wavfile import write_wav


def register_cli(subparsers: Any) -> None:
    """Add the `say` and `voices` subcommands to the `luot` parser."""
    say = subparsers.add_parser("say", help="speak a test announcement")
    say.add_argument("text", nargs="?", help="words to say (default: the call template)")
    say.add_argument("--ticket", default="A012", help="ticket number for the template")
    say.add_argument("--counter", default="3", help="counter number for the template")
    say.add_argument("--wav", type=Path, help="write the announcement to this WAV file instead")
    say.add_argument("--site", type=Path, help="site file whose [voice] settings to use")
    say.set_defaults(func=cmd_say)

    voices = subparsers.add_parser("voices", help="list speech voices; * marks the one used")
    voices.add_argument("--site", type=Path, help="site file whose [voice] settings to use")
    voices.set_defaults(func=cmd_voices)


def cmd_say(args: argparse.Namespace) -> int:
    """Synthesise one announcement; write it to --wav or play it on this machine."""
    settings = _settings(args.site)
    if args.text:
        text = speech = args.text
    else:
        words = render_announcement(
            settings.active_template,
            number=args.ticket,
            counter=args.counter,
            language=settings.language,
            style=settings.number_style,
            southern=settings.southern,
        )
        text, speech = words.text, words.speech
    engine = SpeechEngine(settings)
    try:
        engine.wait_ready()
        with tempfile.TemporaryDirectory(prefix="luot-say-") as directory:
            made = engine.synthesize(speech, Path(directory) / "speech.wav")
            pcm = compose(made.pcm, with_chime=settings.chime, repeat=settings.repeat)
            target = args.wav or Path(directory) / "announcement.wav"
            write_wav(target, pcm)
            print(f"{text}\n  {made.engine}, {pcm.duration:.1f} s")
            if args.wav:
                print(f"  written to {args.wav}")
                return 0
            backend = default_backend(settings.player, settings.device)
            if backend is None:
                raise PlaybackError("no sound player found (aplay, paplay, afplay or winsound)")
            backend.play(target, pcm.duration)
    except (SynthesisError, PlaybackError) as error:
        print(f"luot: {error}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    return 0


def cmd_voices(args: argparse.Namespace) -> int:
    """Print every voice found (id, name, languages) and mark the one announcements use."""
    settings = _settings(args.site)
    engine = SpeechEngine(settings)
    try:
        found, chosen = engine.voices()
        source = f"pyttsx3 ({engine.worker_info['driver']})" if engine.worker_info else "espeak-ng"
    finally:
        engine.close()
    if not found:
        print("luot: no speech voices found (install espeak-ng or a voice)", file=sys.stderr)
        return 1
    print(f"voices from {source}; * = used for language {settings.language!r}")
    width = max(len(voice.id) for voice in found)
    for voice in found:
        mark = "*" if chosen is not None and voice.id == chosen.id else " "
        print(f"{mark} {voice.id:<{width}}  {voice.name}  [{', '.join(voice.languages)}]")
    if chosen is None:
        print(f"luot: no voice speaks {settings.language!r}; the engine's default is used")
    return 0


def _settings(site_file: Path | None) -> VoiceSettings:
    """[voice] settings from the site file, or the defaults."""
    if site_file is None:
        return VoiceSettings()
    from ..site import load_site

    return VoiceSettings.from_site(load_site(site_file))
