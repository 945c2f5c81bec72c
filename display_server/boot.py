"""`luot service install`: start the server at boot, or the counter app at sign-in.

Linux: a systemd unit (`systemctl enable --now`), or for the counter app an XDG autostart
entry. Windows: a start-up task (`schtasks`) running a .cmd that logs to server.log, or for
the counter app a .cmd in the user's Startup folder. `--print` only shows what it would do.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

SYSTEM_UNITS = Path("/etc/systemd/system")
SERVER_TASK = "Luot server"
COUNTER_SHORTCUT = "Luot counter.cmd"


@dataclass(frozen=True)
class ServerCommand:
    """What the service runs: `luot serve` with its options, as absolute paths.

    `luot` is the `luot` script, or the Python interpreter when `via_python` (a system-wide
    Windows Python keeps its scripts in another folder than python.exe).
    """

    luot: PurePath
    data_dir: PurePath
    site: PurePath | None
    host: str
    port: int
    via_python: bool = False

    def arguments(self) -> list[str]:
        """The command line, one item per argument."""
        line = [str(self.luot), *(["-m", "display_server"] if self.via_python else [])]
        line += ["serve", "--host", self.host, "--port", str(self.port)]
        line += ["--data-dir", str(self.data_dir)]
        return line + (["--site", str(self.site)] if self.site else [])


@dataclass(frozen=True)
class Planned:
    """A file to write and the commands that then enable it."""

    path: PurePath
    text: str
    commands: list[list[str]]
    private: bool = False  # holds a password: readable by its owner only


def systemd_quote(argument: str) -> str:
    """One argument for ExecStart= (systemd splits on spaces and expands % specifiers)."""
    escaped = argument.replace("%", "%%")
    if escaped and not any(c in escaped for c in " \t\"'\\;$"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmd_quote(argument: str) -> str:
    """One argument in a Windows .cmd file (% doubled: cmd expands variables even in quotes)."""
    escaped = argument.replace("%", "%%")
    return f'"{escaped}"' if any(c in escaped for c in ' &|<>^"()') else escaped


def systemd_unit(command: ServerCommand, user: str | None, database: str | None) -> str:
    """The text of the server's systemd unit (a system unit when `user`, else a user unit)."""
    after = "network-online.target"
    if database and database.startswith("postgresql"):
        after += " postgresql.service"
    lines = [
        "[Unit]",
        "Description=Lượt queue server (luot serve)",
        f"Wants={after}",
        f"After={after}",
        "",
        "[Service]",
        "Type=simple",
        *([f"User={user}"] if user else []),
        "ExecStart=" + " ".join(systemd_quote(a) for a in command.arguments()),
        "Environment=PYTHONUNBUFFERED=1",
        "Restart=on-failure",
        "RestartSec=5",
        "TimeoutStopSec=20",
        "",
        "[Install]",
        f"WantedBy={'multi-user.target' if user else 'default.target'}",
        "",
    ]
    return "\n".join(lines)


def systemd_database_dropin(database: str) -> str:
    """A drop-in giving the server its database URL (kept out of the world-readable unit)."""
    value = database.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    return f'[Service]\nEnvironment="LUOT_DATABASE_URL={value}"\n'


def windows_server_cmd(command: ServerCommand, database: str | None) -> str:
    """The .cmd the Windows start-up task runs: `luot serve`, its output appended to a log."""
    log = PureWindowsPath(command.data_dir) / "server.log"
    lines = [
        "@echo off",
        'rem Lượt server, started by the task "Luot server" (luot service install).',
        f"cd /d {cmd_quote(str(command.data_dir))}",
    ]
    if database:
        lines.append(f'set "LUOT_DATABASE_URL={database.replace("%", "%%")}"')
    run = " ".join(cmd_quote(a) for a in command.arguments())
    lines.append(f"{run} >> {cmd_quote(str(log))} 2>&1")
    return "\r\n".join(lines) + "\r\n"


def schtasks_create(script: PurePath, at_logon: bool) -> list[str]:
    """The schtasks command that runs `script` at boot (as SYSTEM) or at this user's sign-in."""
    when = ["/SC", "ONLOGON", "/IT"] if at_logon else ["/SC", "ONSTART", "/RU", "SYSTEM"]
    return [
        "schtasks",
        "/Create",
        "/F",
        "/TN",
        SERVER_TASK,
        *when,
        "/RL",
        "HIGHEST",
        "/TR",
        f'"{script}"',
    ]


def counter_starter(python: PurePath, server: str | None, windows: bool) -> str:
    """What opens the counter app at sign-in: a Startup-folder .cmd or an autostart entry."""
    options = ["--server", server] if server else []
    if windows:
        pythonw = PureWindowsPath(python).with_name("pythonw.exe")
        line = " ".join(cmd_quote(a) for a in [str(pythonw), "-m", "counter_app", *options])
        return (
            '@echo off\r\nrem Opens the Lượt counter app at sign-in.\r\nstart "" ' + line + "\r\n"
        )
    words = [str(python), "-m", "counter_app", *options]
    exec_line = " ".join(f'"{w}"' if " " in w else w for w in words)
    return (
        "[Desktop Entry]\nType=Application\nName=Lượt — ứng dụng quầy\n"
        f"Comment=Lượt counter app\nExec={exec_line}\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def _run_as(args: argparse.Namespace) -> str:
    """The account the Linux service runs as: --run-as, else whoever ran sudo, else me."""
    if args.run_as:
        return str(args.run_as)
    if sys.platform != "win32" and os.geteuid() == 0 and os.environ.get("SUDO_USER"):
        return os.environ["SUDO_USER"]
    return getpass.getuser()


def _home(user: str) -> Path:
    """A user's home folder."""
    if sys.platform == "win32" or user == getpass.getuser():
        return Path.home()
    import pwd

    return Path(pwd.getpwnam(user).pw_dir)


def _server_command(args: argparse.Namespace, user: str | None) -> ServerCommand:
    """The `luot serve` line, with every path made absolute."""
    luot = Path(sys.executable).with_name("luot.exe" if sys.platform == "win32" else "luot")
    data_dir = args.data_dir or os.environ.get("LUOT_DATA_DIR")
    if data_dir is None and user and user != getpass.getuser():
        data_dir = _home(user) / ".local" / "share" / "luot"  # as platformdirs, for that user
    site = args.site.resolve() if args.site else None
    if site is not None and not site.is_file():
        raise SystemExit(f"luot service: site file not found: {site}")
    from .app import default_data_dir  # here: the app module loads the whole server

    folder = Path(data_dir or default_data_dir()).expanduser().resolve()
    if luot.exists():
        return ServerCommand(luot, folder, site, args.host, args.port)
    return ServerCommand(Path(sys.executable), folder, site, args.host, args.port, via_python=True)


def plan(args: argparse.Namespace) -> list[Planned]:
    """The files to write and commands to run, for this machine and these options."""
    windows = sys.platform == "win32"
    if args.counter:
        if windows:
            startup = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
            path: PurePath = startup / "Microsoft/Windows/Start Menu/Programs/Startup"
            path = path / COUNTER_SHORTCUT
        else:
            config = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
            path = config / "autostart" / "luot-counter.desktop"
        return [Planned(path, counter_starter(Path(sys.executable), args.server, windows), [])]
    if windows:
        command = _server_command(args, None)
        script = PureWindowsPath(command.data_dir) / "luot-server.cmd"
        text = windows_server_cmd(command, args.database)
        return [Planned(script, text, [schtasks_create(script, args.at == "logon")], True)]
    user = None if args.at == "logon" else _run_as(args)
    command = _server_command(args, user)
    name = f"{args.name}.service"
    systemctl = ["systemctl"] if user else ["systemctl", "--user"]
    folder = args.unit_dir or (
        SYSTEM_UNITS if user else Path.home() / ".config" / "systemd" / "user"
    )
    planned = [Planned(folder / name, systemd_unit(command, user, args.database), [])]
    if args.database:
        dropin = folder / f"{name}.d" / "database.conf"
        planned.append(Planned(dropin, systemd_database_dropin(args.database), [], True))
    planned[-1].commands.extend(
        [[*systemctl, "daemon-reload"], [*systemctl, "enable", "--now", name]]
    )
    return planned


def shown(command: list[str]) -> str:
    """A command as it would be typed on this machine's shell."""
    if sys.platform == "win32":
        return subprocess.list2cmdline(command)
    return shlex.join(command)


def _write(item: Planned) -> None:
    """Write one planned file (private files readable by their owner only)."""
    path = Path(item.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    newline = "" if sys.platform == "win32" else None
    with path.open("w", encoding="utf-8", newline=newline) as handle:
        if item.private:
            os.chmod(path, 0o600)
        handle.write(item.text)


def cmd_install(args: argparse.Namespace) -> int:
    """Write the unit, task or start-up entry and enable it (or only show it with --print)."""
    planned = plan(args)
    if args.print:
        for item in planned:
            print(f"# {item.path}\n{item.text}")
            for command in item.commands:
                print("> " + shown(command))
        return 0
    try:
        for item in planned:
            _write(item)
            print(f"wrote {item.path}")
    except PermissionError as exc:
        print(
            f"luot service: cannot write {exc.filename}: run it as administrator "
            "(Linux: sudo), or add --print to see what it would write",
            file=sys.stderr,
        )
        return 1
    commands = [command for item in planned for command in item.commands]
    if commands and sys.platform != "win32" and not Path("/run/systemd/system").is_dir():
        print(
            "luot service: systemd is not running on this machine (a container?), so "
            "nothing was enabled: start `luot serve` the way this machine starts programs",
            file=sys.stderr,
        )
        return 1
    for command in commands:
        if shutil.which(command[0]) is None:
            print(f"luot service: {command[0]} not found: nothing was enabled", file=sys.stderr)
            return 1
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(
                f"luot service: {' '.join(command)} failed: {(done.stderr or done.stdout).strip()}",
                file=sys.stderr,
            )
            return 1
        print("ran " + " ".join(command))
    if args.counter:
        print("the counter app will open when this user signs in")
    else:
        print(
            f"the server starts at {'sign-in' if args.at == 'logon' else 'boot'}; "
            f"it is on port {args.port} now"
        )
    return 0


def register_cli(subparsers: Any) -> None:
    """Add `luot service install`."""
    service = subparsers.add_parser("service", help="start Lượt at boot (or at sign-in)")
    actions = service.add_subparsers(dest="action", required=True)
    install = actions.add_parser(
        "install",
        help="a systemd unit (Linux) or a start-up task (Windows); the counter app "
        "at sign-in with --counter",
    )
    install.add_argument("--counter", action="store_true", help="open the counter app at sign-in")
    install.add_argument("--server", help="with --counter: the server's address")
    install.add_argument("--site", type=Path, help="the site file the server applies")
    install.add_argument("--data-dir", type=Path, help="the server's data directory")
    install.add_argument("--database", help="database URL (default: SQLite in the data directory)")
    install.add_argument("--host", default="0.0.0.0", help="address to listen on (all, default)")
    install.add_argument("--port", type=int, default=8080)
    install.add_argument(
        "--at",
        choices=("boot", "logon"),
        default="boot",
        help="boot (default), or logon: when this user signs in",
    )
    install.add_argument("--run-as", help="Linux: the account the service runs as")
    install.add_argument("--name", default="luot", help="Linux: the unit's name")
    install.add_argument("--unit-dir", type=Path, help="Linux: where to write the unit")
    install.add_argument("--print", action="store_true", help="only show what it would do")
    install.set_defaults(func=cmd_install)
