"""Printing benchmark: render + encode time per ticket, bytes per ticket, kiosk request → printer.

    .venv/bin/python bench/bench_printer.py [--tickets 500] [--requests 200] [--no-server]

1. `ticket_bytes` on a stream of tickets like a morning at a ward desk (four services, numbers
   counting up, people ahead and waits changing, the clock moving 20 s a ticket), and cold (every
   cache emptied before each ticket).
2. Bytes sent per ticket, against python-escpos' `image()` of the same picture.
3. `POST /api/v1/tickets` with a kiosk → the ticket's last byte (the cut) at a fake network
   printer, through `luot serve` (HTTP) and through Flask's test client.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.printer.fakeprinter and tests.factories

import httpx  # noqa: E402
from common import KIOSK_HEADERS, KIOSK_KEY  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

from printer import TicketContent, render_ticket_image, ticket_bytes, typeset  # noqa: E402
from tests.printer.fakeprinter import FakePrinter  # noqa: E402

HANOI = timezone(timedelta(hours=7))
SERVICES = [
    "Hộ tịch",
    "Liên thông khai sinh – thường trú – BHYT trẻ em dưới 6 tuổi",
    "Chứng thực",
    "Đăng ký đất đai",
]


def stream(count: int) -> list[TicketContent]:
    """A morning's tickets."""
    start = datetime(2026, 11, 25, 7, 30, tzinfo=HANOI)
    tickets = []
    for i in range(count):
        service = i % len(SERVICES)
        tickets.append(
            TicketContent(
                office_name="UBND phường Phú Đô",
                unit="Bộ phận Tiếp nhận và Trả kết quả",
                service_name=SERVICES[service],
                number=f"{'ABCD'[service]}{i // 4 + 1:03d}",
                priority_label="Người cao tuổi" if i % 9 == 0 else None,
                issued_at=start + timedelta(seconds=20 * i),
                ahead=(i * 7) % 23,
                estimated_wait_minutes=(i * 11) % 47,
                counters=[["1", "2"], ["1"], ["2", "3"], ["3"]][service],
                status_url=f"https://luot.phudo.gov.vn/t/{i:04x}9c2e4b1d8e6f7a0b",
            )
        )
    return tickets


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds for `action` (CPU time is what the ticket itself costs
    when other processes share the machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, runs: list[tuple[float, float]]) -> None:
    """One row: median and p95, wall clock and CPU."""
    wall, cpu = [run[0] for run in runs], [run[1] for run in runs]
    print(
        f"  {name:<42} {statistics.median(wall):7.2f} {percentile(wall, 0.95):7.2f}"
        f" {statistics.median(cpu):7.2f} {percentile(cpu, 0.95):7.2f}"
    )


def bench_render(count: int) -> None:
    """Render + encode times."""
    tickets = stream(count)
    ticket_bytes(tickets[0])  # import and font loading are not per-ticket costs

    def cold(content: TicketContent) -> None:
        typeset.wrapped.cache_clear()
        typeset.line_mask.cache_clear()
        typeset.advance.cache_clear()
        ticket_bytes(content)

    print("\nRender + encode per ticket, 80 mm (ms)      wall p50    p95  CPU p50    p95")
    report(
        f"raster, a morning's {count} tickets",
        [timed(lambda t=t: ticket_bytes(t)) for t in tickets],
    )
    report("raster, cold (every cache emptied)", [timed(lambda t=t: cold(t)) for t in tickets[:50]])
    report(
        "render_ticket_image (preview, QR drawn)",
        [timed(lambda t=t: render_ticket_image(t)) for t in tickets[:100]],
    )
    report(
        "text mode (CP1258)",
        [timed(lambda t=t: ticket_bytes(t, mode="text")) for t in tickets[:100]],
    )


def bench_bytes() -> None:
    """Bytes per ticket in each mode."""
    tickets = stream(36)
    rows = [
        ("80 mm raster, native QR", lambda t: ticket_bytes(t)),
        ("80 mm raster, QR as image", lambda t: ticket_bytes(t, native_qr=False)),
        ("58 mm raster, native QR", lambda t: ticket_bytes(t, width_dots=384)),
        ("80 mm text mode (CP1258)", lambda t: ticket_bytes(t, mode="text")),
        ("80 mm python-escpos image() of the picture", escpos_image_bytes),
    ]
    print("\nBytes sent per ticket (36 tickets)             median     max")
    for name, encode in rows:
        sizes = [len(encode(t)) for t in tickets]
        print(f"  {name:<44} {statistics.median(sizes):7.0f} {max(sizes):7d}")


def escpos_image_bytes(content: TicketContent) -> bytes:
    """The naive way: ESC @, the whole picture through python-escpos `image()`, cut."""
    printer = Dummy(profile="TM-T20II")  # a 576-dot profile
    printer.hw("INIT")
    printer.image(render_ticket_image(content))
    printer.cut()
    return bytes(printer.output)


def latency(post: Callable[[dict[str, str]], int], fake: FakePrinter, requests: int) -> list[float]:
    """Milliseconds from sending the request to the ticket's cut at the printer."""
    took = []
    for i in range(requests):
        expected = len(fake.tickets) + 1
        started = time.monotonic()
        status = post({"service": "ABCD"[i % 4], "kiosk": "k1"})
        assert status == 201, status
        fake.wait_for_tickets(expected)
        took.append((fake.ticket_times[expected - 1] - started) * 1000)
    return took


def bench_kiosk(requests: int, with_server: bool) -> None:
    """Kiosk request → last byte at the fake printer."""
    from tests.factories import make_site
    from tests.servers import LiveServer, write_site

    fake = FakePrinter().start()
    site = make_site()
    site["printing"] = {"paper": "80mm"}
    site["kiosks"] = [
        {
            "id": "k1",
            "name": "Sảnh",
            "printer": f"network://127.0.0.1:{fake.port}",
            "key": KIOSK_KEY,  # only a paired kiosk's tickets print
        }
    ]
    print(
        f"\nKiosk POST /api/v1/tickets → cut at the printer ({requests} requests, ms)   p50     p99"
    )
    with tempfile.TemporaryDirectory(prefix="luot-bench-") as folder:
        if with_server:
            site_file = write_site(Path(folder) / "site.toml", site)
            server = LiveServer(Path(folder), site_file).start()
            try:
                with httpx.Client(base_url=server.url, timeout=10) as client:
                    took = latency(
                        lambda body: (
                            client.post(
                                "/api/v1/tickets", json=body, headers=KIOSK_HEADERS
                            ).status_code
                        ),
                        fake,
                        requests,
                    )
            finally:
                server.stop()
            print(
                f"  luot serve over HTTP                        {statistics.median(took):7.1f} "
                f"{percentile(took, 0.99):7.1f}"
            )
        from display_server.app import create_app

        app = create_app(
            {
                "LUOT_DATA_DIR": Path(folder) / "app",
                "LUOT_SITE": site,
                "LUOT_FEATURES": ["display_server.printing"],
            }
        )
        client = app.test_client()
        took = latency(
            lambda body: (
                client.post("/api/v1/tickets", json=body, headers=KIOSK_HEADERS).status_code
            ),
            fake,
            requests,
        )
        print(
            f"  Flask test client (in process)              {statistics.median(took):7.1f} "
            f"{percentile(took, 0.99):7.1f}"
        )
        app.extensions["luot.printing"].shutdown()
        app.extensions["luot.db"].dispose()
    fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-server", action="store_true", help="skip the `luot serve` run")
    args = parser.parse_args()
    bench_render(args.tickets)
    bench_bytes()
    bench_kiosk(args.requests, not args.no_server)


if __name__ == "__main__":
    main()
