"""WAV checks, the generated chime and the announcement layout, on real bytes."""

from __future__ import annotations

import subprocess
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from display_server.voice.audio import GAP_AFTER_CHIME, GAP_BETWEEN_REPEATS, compose
from display_server.voice.chime import FIRST_TONE_HZ, SECOND_TONE_AT, SECOND_TONE_HZ, chime
from display_server.voice.errors import InvalidAudioError
from display_server.voice.wavfile import Pcm, check_speech, read_wav, silence, write_wav

SENTENCE = "Mời công dân có số thứ tự A mười hai đến quầy số ba"


@pytest.fixture
def espeak_wav(tmp_path: Path) -> Path:
    path = tmp_path / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(path), "--", SENTENCE], check=True)
    return path


def test_real_speech_passes(espeak_wav: Path) -> None:
    pcm = check_speech(espeak_wav, SENTENCE)
    assert 1.5 <= pcm.duration <= 8 and pcm.rms() > 500 and pcm.rate == 22050


def test_missing_empty_broken_silent_and_implausible_files_fail(
    tmp_path: Path, espeak_wav: Path
) -> None:
    with pytest.raises(InvalidAudioError, match="not written"):
        check_speech(tmp_path / "none.wav", SENTENCE)
    empty = tmp_path / "empty.wav"
    write_wav(empty, Pcm(array("h"), 22050))
    assert empty.stat().st_size == 44
    with pytest.raises(InvalidAudioError, match="empty"):
        check_speech(empty, SENTENCE)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF" + bytes(200))
    with pytest.raises(InvalidAudioError, match="not a readable WAV"):
        check_speech(junk, SENTENCE)
    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, silence(3.0, 22050))
    with pytest.raises(InvalidAudioError, match="silent"):
        check_speech(quiet, SENTENCE)
    with pytest.raises(InvalidAudioError, match="lasts"):
        check_speech(espeak_wav, "ba")  # four seconds is not how long "ba" takes


def test_eight_bit_and_stereo_files_are_converted(tmp_path: Path) -> None:
    path = tmp_path / "stereo8.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes([128, 128, 255, 255, 0, 0]))
    pcm = read_wav(path)
    assert list(pcm.samples) == [0, 127 << 8, -128 << 8] and pcm.rate == 8000


def test_chime_is_two_tones(dominant_frequency: Callable[..., float]) -> None:
    pcm = chime(22050)
    assert 0.8 <= pcm.duration <= 1.2
    first = list(pcm.samples[: int(0.3 * pcm.rate)])
    second = list(pcm.samples[int((SECOND_TONE_AT + 0.05) * pcm.rate) :][: int(0.2 * pcm.rate)])
    assert abs(dominant_frequency(first, pcm.rate) - FIRST_TONE_HZ) <= 5
    assert abs(dominant_frequency(second, pcm.rate) - SECOND_TONE_HZ) <= 5
    assert max(abs(s) for s in pcm.samples) < 32767 * 0.5  # pleasant, not clipping
    assert abs(pcm.samples[0]) < 100 and abs(pcm.samples[-1]) < 100  # no clicks


def test_announcement_layout(espeak_wav: Path) -> None:
    speech = read_wav(espeak_wav)
    bell = chime(speech.rate)
    pcm = compose(speech, with_chime=True, repeat=2)
    rate, n_chime, n_speech = speech.rate, len(bell.samples), len(speech.samples)
    gap1, gap2 = round(GAP_AFTER_CHIME * rate), round(GAP_BETWEEN_REPEATS * rate)
    assert pcm.rate == rate
    assert len(pcm.samples) == n_chime + gap1 + n_speech + gap2 + n_speech
    assert pcm.samples[:n_chime] == bell.samples
    first = n_chime + gap1
    assert pcm.samples[first : first + n_speech] == speech.samples
    second = first + n_speech + gap2
    assert pcm.samples[second:] == speech.samples
    assert not any(pcm.samples[n_chime:first])


def test_compose_variants(espeak_wav: Path) -> None:
    speech = read_wav(espeak_wav)
    assert compose(speech, with_chime=False, repeat=1).samples == speech.samples
    assert compose(None).samples == chime(22050).samples
    with pytest.raises(ValueError, match="nothing"):
        compose(None, with_chime=False)


def test_written_files_are_standard_wav(tmp_path: Path) -> None:
    path = tmp_path / "chime.wav"
    write_wav(path, chime(16000))
    info = subprocess.run(["soxi", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Sample Rate    : 16000" in info and "16-bit Signed Integer PCM" in info
    assert not list(tmp_path.glob("*.part"))
