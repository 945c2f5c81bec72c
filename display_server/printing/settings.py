"""The site file's `[printing]` table and `[[kiosks]]` list, checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from printer import (
    DEFAULT_CODEPAGE,
    DEFAULT_FOOTER,
    PAPER_WIDTHS,
    BackendUnavailableError,
    PrinterConfigError,
    parse_device_url,
    parse_printer_url,
    profile_width_dots,
)

from ..site import SiteError

MODES = ("raster", "text")


@dataclass(frozen=True)
class PrintingSettings:
    """The [printing] table."""

    width_dots: int = PAPER_WIDTHS["80mm"]
    mode: str = "raster"
    codepage: int = DEFAULT_CODEPAGE
    footer: str = DEFAULT_FOOTER
    logo: Path | None = None
    wait_seconds: float = 0.5

    @classmethod
    def from_table(cls, table: Mapping[str, Any], base_dir: Path) -> PrintingSettings:
        """Check and convert the table; raises SiteError naming the bad key."""
        paper = table.get("paper", "80mm")
        if paper not in PAPER_WIDTHS:
            raise SiteError(f"[printing] paper must be one of {', '.join(PAPER_WIDTHS)}")
        mode = table.get("mode", "raster")
        if mode not in MODES:
            raise SiteError('[printing] mode must be "raster" or "text"')
        codepage = table.get("codepage", DEFAULT_CODEPAGE)
        if not isinstance(codepage, int) or not 0 <= codepage <= 255:
            raise SiteError("[printing] codepage must be a code table number (0–255)")
        wait = table.get("wait_seconds", 0.5)
        if not isinstance(wait, int | float) or not 0 <= wait <= 10:
            raise SiteError("[printing] wait_seconds must be a number of seconds (0–10)")
        logo = table.get("logo")
        logo_path = (base_dir / str(logo)) if logo else None
        if logo_path is not None and not logo_path.is_file():
            raise SiteError(f"[printing] logo file not found: {logo_path}")
        footer = str(table.get("footer", DEFAULT_FOOTER))
        return cls(PAPER_WIDTHS[paper], mode, codepage, footer, logo_path, float(wait))


@dataclass(frozen=True)
class Kiosk:
    """One [[kiosks]] entry."""

    id: str
    name: str
    printer: str | None = None
    profile: str | None = None
    image_qr: bool = False


def read_kiosks(site: Mapping[str, Any], *, devices_only: bool = False) -> dict[str, Kiosk]:
    """The [[kiosks]] entries by id; raises SiteError for a malformed one.

    `devices_only`: the list comes from administration, whose printers must be printer devices
    (`printer.parse_device_url`); the site file, written by whoever installs the server, may
    also name a file."""
    check_url = parse_device_url if devices_only else parse_printer_url
    kiosks: dict[str, Kiosk] = {}
    for i, entry in enumerate(site.get("kiosks", []) or []):
        where = f"[[kiosks]] #{i + 1}"
        if not isinstance(entry, Mapping) or not str(entry.get("id", "")).strip():
            raise SiteError(f"{where}: needs an id")
        kiosk_id = str(entry["id"]).strip()
        if kiosk_id in kiosks:
            raise SiteError(f"{where}: id {kiosk_id} appears twice")
        printer = entry.get("printer") or None
        profile = entry.get("profile") or None
        try:
            if printer:
                check_url(str(printer))
            profile_width_dots(profile)
        except BackendUnavailableError:
            pass  # reported per kiosk at run time: the queue works without this printer
        except PrinterConfigError as exc:
            raise SiteError(f"{where}: {exc}") from exc
        if (entry.get("qr") or "native") not in ("native", "image"):
            raise SiteError(f'{where}: qr must be "native" or "image"')
        kiosks[kiosk_id] = Kiosk(
            id=kiosk_id,
            name=str(entry.get("name") or kiosk_id),
            printer=str(printer) if printer else None,
            profile=str(profile) if profile else None,
            image_qr=entry.get("qr") == "image",
        )
    return kiosks
