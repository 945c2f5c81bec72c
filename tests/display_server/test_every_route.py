"""Every API route of an app with all features answers odd input with a JSON 4xx, never a 5xx."""

from __future__ import annotations

import itertools
import re

from display_server.extensions import FEATURES
from tests.factories import issue, login

BODIES = [
    b"{bad",
    b"[]",
    b'"x"',
    b'{"service": 5, "level": [], "reason": {}, "kiosk": 7, "ticket": "1"}',
    b'{"x": "\\ud800"}',
    b"",
]
PATH_VALUES = {
    "int": ["1", "0", "99999999999999999999"],
    "default": ["1", "zzz", "%F0%9F%98%80", "a" * 300],
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def test_no_route_answers_odd_input_with_a_server_error(make_app):
    app = make_app(features=list(FEATURES), LUOT_VOICE_ENABLED=False)
    client = app.test_client()
    issue(client, "A")
    supervisor = login(client, "mai")
    problems = []
    routes = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert len(routes) > 30
    for rule in routes:
        params = PARAM.findall(rule.rule)
        choices = [PATH_VALUES.get(kind or "default", PATH_VALUES["default"]) for kind, _ in params]
        for values in itertools.product(*choices):
            path = rule.rule
            for (_, name), value in zip(params, values, strict=True):
                path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for headers in ({}, supervisor):
                    for body in BODIES if method == "POST" else [None]:
                        response = client.open(
                            path,
                            method=method,
                            data=body,
                            headers=headers,
                            content_type="application/json",
                        )
                        status = response.status_code
                        is_json = "json" in response.headers.get("Content-Type", "")
                        if status >= 500 or (status >= 400 and not is_json):
                            problems.append((method, path, status, body))
    assert problems == []
