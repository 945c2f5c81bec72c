"""Reads ESC/POS bytes back: splits them into commands and redraws raster tickets as pictures.

Written from the ESC/POS command reference, independently of `printer/`, so the tests check the
bytes against what a printer would do with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageChops

ESC, GS, DLE = 0x1B, 0x1D, 0x10
# Commands with one parameter byte after ESC x / GS x; ESC @ and ESC 2 have none.
_ESC_ONE = set(b"aEtd!3J-M")
_ESC_NONE = set(b"@2")
_GS_ONE = set(b"!BfhwHk")


class IncompleteCommand(Exception):
    """More bytes are needed to finish the command at the end of the buffer."""


def command_length(data: bytes | bytearray, at: int) -> int:
    """Length of the command starting at `at`; raises IncompleteCommand or ValueError."""

    def need(n: int) -> int:
        if at + n > len(data):
            raise IncompleteCommand
        return n

    first = data[at]
    if first == DLE:
        need(3)
        if data[at + 1] != 0x04:
            raise ValueError(f"unknown DLE command {data[at + 1]:#x}")
        return 3
    if first == ESC:
        need(2)
        op = data[at + 1]
        if op in _ESC_NONE:
            return 2
        if op in _ESC_ONE:
            return need(3)
        raise ValueError(f"unknown ESC command {chr(op)!r}")
    if first == GS:
        need(2)
        op = data[at + 1]
        if op in _GS_ONE:
            return need(3)
        if op == ord("V"):
            need(3)
            return need(3 if data[at + 2] in (0, 1, 48, 49) else 4)
        if op in (ord("L"), ord("W"), ord("P")):
            return need(4)
        if op == ord("v"):
            need(8)
            width = data[at + 4] | data[at + 5] << 8
            height = data[at + 6] | data[at + 7] << 8
            return need(8 + width * height)
        if op == ord("("):
            need(5)
            return need(5 + (data[at + 3] | data[at + 4] << 8))
        raise ValueError(f"unknown GS command {chr(op)!r}")
    return 1  # a character or LF


def split_commands(data: bytes) -> Iterator[bytes]:
    """Every command of a complete byte string, in order."""
    at = 0
    while at < len(data):
        length = command_length(data, at)
        yield data[at : at + length]
        at += length


@dataclass
class RasterBand:
    """One GS v 0 command as a printer would place it."""

    x: int
    y: int
    width_dots: int
    height_dots: int


class RasterDecoder:
    """Redraws the raster parts of a job: GS v 0 bands and native QR codes, with ESC a."""

    _QR_LEVELS = {
        48: qrcode.constants.ERROR_CORRECT_L,
        49: qrcode.constants.ERROR_CORRECT_M,
        50: qrcode.constants.ERROR_CORRECT_Q,
        51: qrcode.constants.ERROR_CORRECT_H,
    }

    def __init__(self, paper_width: int) -> None:
        self.paper_width = paper_width
        self.canvas = Image.new("1", (paper_width, 4000), 1)
        self.y = 0
        self.justify = 0
        self.bands: list[RasterBand] = []
        self.qr_data = b""
        self.qr_size = 3
        self.qr_level = 48
        self.text = bytearray()
        self.cuts = 0

    def feed(self, data: bytes) -> None:
        """Interpret a job's bytes."""
        for command in split_commands(data):
            if command[0] == ESC and command[1] == ord("a"):
                self.justify = command[2] % 48
            elif command[0] == GS and command[1] == ord("v"):
                self._raster(command)
            elif command[0] == GS and command[1:3] == b"(k":
                self._qr(command)
            elif command[0] == GS and command[1] == ord("V"):
                self.cuts += 1
            elif command[0] not in (ESC, GS, DLE):
                self.text += command

    def image(self) -> Image.Image:
        """The drawn part of the paper (feeds before the cut not included)."""
        return self.canvas.crop((0, 0, self.paper_width, self.y))

    def _place(self, width: int, height: int) -> int:
        """The x of a picture `width` dots wide under the current justification."""
        x = {0: 0, 1: (self.paper_width - width) // 2, 2: self.paper_width - width}[self.justify]
        self.bands.append(RasterBand(x, self.y, width, height))
        return x

    def _raster(self, command: bytes) -> None:
        mode = command[3] % 48
        width_bytes = command[4] | command[5] << 8
        height = command[6] | command[7] << 8
        bits = bytes(255 - b for b in command[8:])  # ESC/POS 1 = black; Pillow "1": 0 = black
        picture = Image.frombytes("1", (width_bytes * 8, height), bits)
        scale_x, scale_y = (1 + (mode & 1), 1 + (mode >> 1 & 1))
        if (scale_x, scale_y) != (1, 1):
            size = (picture.width * scale_x, picture.height * scale_y)
            picture = picture.resize(size, Image.Resampling.NEAREST)
        x = self._place(picture.width, picture.height)
        self.canvas.paste(picture, (x, self.y))
        self.y += picture.height

    def _qr(self, command: bytes) -> None:
        function = command[6]
        if function == ord("C"):
            self.qr_size = command[7]
        elif function == ord("E"):
            self.qr_level = command[7]
        elif function == ord("P"):
            self.qr_data = bytes(command[8:])
        elif function == ord("Q"):
            code = qrcode.QRCode(
                error_correction=self._QR_LEVELS[self.qr_level], box_size=self.qr_size, border=0
            )
            code.add_data(self.qr_data, optimize=0)
            code.make(fit=True)
            side = len(code.modules) * self.qr_size
            symbol = Image.new("1", (side, side), 1)
            for row, modules in enumerate(code.modules):
                for column, dark in enumerate(modules):
                    if dark:
                        box = (column * self.qr_size, row * self.qr_size)
                        symbol.paste(0, (*box, box[0] + self.qr_size, box[1] + self.qr_size))
            x = self._place(side, side)
            self.canvas.paste(symbol, (x, self.y))
            self.y += side


def decode_ticket(data: bytes, paper_width: int) -> RasterDecoder:
    """Interpret one job; the decoder holds its picture, bands, text and cuts."""
    decoder = RasterDecoder(paper_width)
    decoder.feed(data)
    return decoder


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    """Whether two 1-bit pictures have the same size and every pixel equal."""
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )
