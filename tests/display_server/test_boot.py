"""`luot service install`: the systemd unit, the Windows start-up task, the counter app."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

from display_server.boot import (
    ServerCommand,
    counter_starter,
    schtasks_create,
    systemd_quote,
    windows_server_cmd,
)
from display_server.cli import main

LUOT = Path(sys.executable).with_name("luot")


def unit_sections(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def test_print_shows_the_unit_and_enables_nothing(tmp_path, capsys):
    site = tmp_path / "site.toml"
    site.write_text("[office]\nname = 'x'\n")
    data = tmp_path / "data dir"
    code = main(
        [
            "service",
            "install",
            "--print",
            "--site",
            str(site),
            "--data-dir",
            str(data),
            "--port",
            "8090",
            "--run-as",
            "luot",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    unit_text = out.split("# /etc/systemd/system/luot.service\n", 1)[1].split("\n> ", 1)[0]
    unit = unit_sections(unit_text)
    assert unit["Service"]["User"] == "luot"
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert shlex.split(unit["Service"]["ExecStart"]) == [
        str(LUOT),
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "8090",
        "--data-dir",
        str(data.resolve()),
        "--site",
        str(site.resolve()),
    ]
    assert "> systemctl daemon-reload\n> systemctl enable --now luot.service" in out
    assert not data.exists()


def test_the_database_url_goes_in_a_private_dropin(tmp_path, capsys):
    url = "postgresql+psycopg://luot:p%40ss@localhost/luot"
    code = main(
        [
            "service",
            "install",
            "--unit-dir",
            str(tmp_path),
            "--data-dir",
            str(tmp_path),
            "--database",
            url,
        ]
    )
    captured = capsys.readouterr()
    unit = (tmp_path / "luot.service").read_text()
    dropin = tmp_path / "luot.service.d" / "database.conf"
    assert "p%40ss" not in unit and "After=network-online.target postgresql.service" in unit
    assert dropin.read_text() == (
        '[Service]\nEnvironment="LUOT_DATABASE_URL=postgresql+psycopg://luot:p%%40ss@localhost/luot"\n'
    )
    assert dropin.stat().st_mode & 0o777 == 0o600
    # This test machine runs no systemd (a container): it says so, and fails.
    if not Path("/run/systemd/system").is_dir():
        assert code == 1
        assert "systemd is not running on this machine (a container?)" in captured.err


def test_user_unit_at_logon(tmp_path, capsys):
    code = main(["service", "install", "--print", "--at", "logon", "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "/.config/systemd/user/luot.service" in out
    assert "User=" not in out and "WantedBy=default.target" in out
    assert "> systemctl --user enable --now luot.service" in out


def test_the_counter_app_opens_at_sign_in(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code = main(["service", "install", "--counter", "--server", "http://192.168.1.10:8080"])
    assert code == 0
    entry = unit_sections((tmp_path / "autostart" / "luot-counter.desktop").read_text())
    assert entry["Desktop Entry"]["Exec"] == (
        f"{sys.executable} -m counter_app --server http://192.168.1.10:8080"
    )
    assert "the counter app will open when this user signs in" in capsys.readouterr().out


def test_site_file_must_exist(tmp_path):
    with pytest.raises(SystemExit, match="site file not found"):
        main(["service", "install", "--print", "--site", str(tmp_path / "nope.toml")])


def test_systemd_quoting():
    assert systemd_quote("/opt/luot/bin/luot") == "/opt/luot/bin/luot"
    assert systemd_quote("/srv/Lượt data") == '"/srv/Lượt data"'
    assert systemd_quote("50%") == "50%%"


def test_windows_start_up_task_and_script():
    command = ServerCommand(
        luot=PureWindowsPath(r"C:\Luot\venv\Scripts\luot.exe"),
        data_dir=PureWindowsPath(r"C:\Users\Chi Lan\AppData\Local\luot"),
        site=PureWindowsPath(r"C:\Luot\site.toml"),
        host="0.0.0.0",
        port=8080,
    )
    script = windows_server_cmd(command, "postgresql+psycopg://luot:50%off@db/luot")
    assert script.split("\r\n") == [
        "@echo off",
        'rem Lượt server, started by the task "Luot server" (luot service install).',
        r'cd /d "C:\Users\Chi Lan\AppData\Local\luot"',
        'set "LUOT_DATABASE_URL=postgresql+psycopg://luot:50%%off@db/luot"',
        r"C:\Luot\venv\Scripts\luot.exe serve --host 0.0.0.0 --port 8080 --data-dir "
        r'"C:\Users\Chi Lan\AppData\Local\luot" --site C:\Luot\site.toml >> '
        r'"C:\Users\Chi Lan\AppData\Local\luot\server.log" 2>&1',
        "",
    ]
    at_boot = schtasks_create(PureWindowsPath(r"C:\Luot data\luot-server.cmd"), at_logon=False)
    assert at_boot == [
        "schtasks",
        "/Create",
        "/F",
        "/TN",
        "Luot server",
        "/SC",
        "ONSTART",
        "/RU",
        "SYSTEM",
        "/RL",
        "HIGHEST",
        "/TR",
        r'"C:\Luot data\luot-server.cmd"',
    ]
    assert subprocess.list2cmdline(at_boot).endswith(r'/TR "\"C:\Luot data\luot-server.cmd\""')
    at_logon = schtasks_create(PureWindowsPath(r"C:\Luot\luot-server.cmd"), at_logon=True)
    assert at_logon[5:8] == ["/SC", "ONLOGON", "/IT"]


def test_without_the_luot_script_python_runs_the_module():
    command = ServerCommand(
        PureWindowsPath(r"C:\Python311\python.exe"),
        PureWindowsPath(r"C:\Luot\data"),
        None,
        "0.0.0.0",
        8080,
        via_python=True,
    )
    assert command.arguments()[:4] == [r"C:\Python311\python.exe", "-m", "display_server", "serve"]


def test_windows_counter_app_starter():
    text = counter_starter(
        PureWindowsPath(r"C:\Luot\venv\Scripts\python.exe"), "http://192.168.1.10:8080", True
    )
    assert text.split("\r\n")[2] == (
        r'start "" C:\Luot\venv\Scripts\pythonw.exe -m counter_app --server http://192.168.1.10:8080'
    )
