"""`scidex serve` writes an access log: one Combined Log Format line per request, plus its
duration; off with --no-access-log or SCIDEX_ACCESS_LOG=0.

The server runs as a real process on a port, on each backend; its stdout is read
after it stops.
"""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from helpers import Served, serving
from scidex.store import Store
from scidex.web.access_log import AccessLogMiddleware, format_line

# Combined Log Format plus the duration in seconds.
LINE = re.compile(
    r'^(?P<host>\S+) - - \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+) '
    r'HTTP/(?P<version>[\d.]+)" (?P<status>\d{3}) (?P<bytes>\d+|-) "(?P<referer>[^"]*)" '
    r'"(?P<agent>[^"]*)" (?P<seconds>\d+\.\d{3})$'
)


def log_lines(served: Served) -> list[re.Match[str]]:
    """The access-log lines printed (every stdout line that is not the banner)."""
    found = []
    for text in served.out.splitlines():
        if text.startswith("SciDEX Atlas on "):
            continue
        match = LINE.match(text)
        assert match, f"not an access-log line: {text!r}"
        found.append(match)
    return found


def _get(url: str, method: str = "GET", **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_every_request_is_logged_with_method_path_status_bytes_and_duration(
    store: Store,
) -> None:
    with serving(store) as served:
        health = _get(served.base + "/health", **{"User-Agent": 'probe "one"'})
        missing = _get(served.base + "/api/entities/NOPE:1", Referer="http://example.org/from")
        refused = _get(served.base + "/api/entities/NOPE:1?bogus=1")
        head = _get(served.base + "/health", method="HEAD")

    assert [health[0], missing[0], refused[0], head[0]] == [200, 404, 400, 200]
    first, second, third, fourth = log_lines(served)
    assert (first["method"], first["target"], first["status"]) == ("GET", "/health", "200")
    assert first["host"] == "127.0.0.1" and first["version"] == "1.1"
    assert int(first["bytes"]) == len(health[1])
    # A quote from the request is escaped, so it cannot end the field early.
    assert first["agent"] == "probe \\x22one\\x22"
    assert first["referer"] == "-"
    # The time is now, in the log's own format (with its UTC offset).
    logged = datetime.strptime(first["time"], "%d/%b/%Y:%H:%M:%S %z")
    assert abs((datetime.now(UTC) - logged).total_seconds()) < 60
    assert float(first["seconds"]) >= 0  # a duration

    assert (second["target"], second["status"]) == ("/api/entities/NOPE:1", "404")
    assert int(second["bytes"]) == len(missing[1])
    assert second["referer"] == "http://example.org/from"
    # The query string is part of the request line.
    assert (third["target"], third["status"]) == ("/api/entities/NOPE:1?bogus=1", "400")
    # A HEAD is logged as a HEAD, with no body sent.
    assert (fourth["method"], fourth["status"], fourth["bytes"]) == ("HEAD", "200", "-")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_access_log_turns_it_off_by_flag_and_by_environment(store: Store) -> None:
    with serving(store, "--no-access-log") as served:
        assert _get(served.base + "/health")[0] == 200
    assert log_lines(served) == []
    with serving(store, env={"SCIDEX_ACCESS_LOG": "0"}) as served:
        assert _get(served.base + "/health")[0] == 200
    assert log_lines(served) == []
    # The flag wins over the environment.
    with serving(store, "--access-log", env={"SCIDEX_ACCESS_LOG": "0"}) as served:
        assert _get(served.base + "/health")[0] == 200
    assert [m["target"] for m in log_lines(served)] == ["/health"]


def test_a_request_cannot_forge_a_log_line() -> None:
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "raw_path": b'/a"b\nc\\d\xc3\xa9',
        "query_string": b"q=\r\n1",
        "http_version": "1.1",
        "client": ("10.0.0.7", 5555),
        "headers": [(b"user-agent", b"evil\n127.0.0.1 - - [forged]")],
    }
    when = datetime(2026, 12, 5, 15, 4, 47, tzinfo=UTC)
    line = format_line(scope, 200, 12, 0.0042, when)
    assert "\n" not in line and "\r" not in line
    assert line == (
        '10.0.0.7 - - [05/Dec/2026:15:04:47 +0000] "GET /a\\x22b\\x0Ac\\x5Cd\\xC3\\xA9'
        '?q=\\x0D\\x0A1 HTTP/1.1" 200 12 "-" "evil\\x0A127.0.0.1 - - [forged]" 0.004'
    )
    assert LINE.match(line)


def test_a_failing_app_is_logged_as_500() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    stream = io.StringIO()
    client = TestClient(AccessLogMiddleware(failing, stream=stream))
    with pytest.raises(RuntimeError, match="boom"):
        client.post("/x", headers={"User-Agent": "probe"})
    match = LINE.match(stream.getvalue().rstrip("\n"))
    assert match and (match["method"], match["target"], match["status"]) == ("POST", "/x", "500")
    assert match["agent"] == "probe"


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_every_worker_process_logs_whole_lines(store: Store) -> None:
    with serving(store, "--workers", "2") as served:
        for i in range(20):
            assert _get(f"{served.base}/api/search?q=bach{i}")[0] == 200
    lines = log_lines(served)
    # Each request is one whole line, none lost.
    assert sorted(m["target"] for m in lines) == sorted(f"/api/search?q=bach{i}" for i in range(20))
