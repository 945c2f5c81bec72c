"""`luot say` and `luot voices`, run as the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from display_server.voice.chime import chime
from display_server.voice.wavfile import read_wav
from tests.factories import make_site
from tests.servers import ROOT, write_site


def _luot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "display_server", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_say_writes_a_wav(tmp_path: Path) -> None:
    out = tmp_path / "say.wav"
    done = _luot("say", "--wav", str(out))
    assert done.returncode == 0, done.stderr
    assert "Mời công dân có số thứ tự A mười hai đến quầy số ba" in done.stdout
    pcm = read_wav(out)
    bell = chime(pcm.rate)
    assert pcm.samples[: len(bell.samples)] == bell.samples
    assert bell.duration + 3 < pcm.duration < bell.duration + 18


def test_say_with_site_settings(tmp_path: Path) -> None:
    site = make_site()
    site["voice"] = {"repeat": 1, "chime": False, "number_style": "digits"}
    site_file = write_site(tmp_path / "site.toml", site)
    out = tmp_path / "digits.wav"
    done = _luot("say", "--site", str(site_file), "--ticket", "B105", "--wav", str(out))
    assert done.returncode == 0, done.stderr
    assert "B, một, không, năm đến quầy số ba" in done.stdout
    assert 1.5 < read_wav(out).duration < 10


def test_voices_marks_the_vietnamese_voice() -> None:
    done = _luot("voices")
    assert done.returncode == 0, done.stderr
    chosen = [line for line in done.stdout.splitlines() if line.startswith("*")]
    assert len(chosen) == 1 and "aav/vi " in chosen[0] and "[vi]" in chosen[0]
    assert "aav/vi-vn-x-south" in done.stdout
