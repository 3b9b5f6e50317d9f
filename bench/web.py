"""Benchmark: the web workspace with many cases, through `recordkit serve` and real HTTP.

    .venv/bin/python bench/web.py [--n 10000] [--requests 50] [--keep]

Builds (not timed) a working folder of N deterministic cases with the case generator of
``bench/generate.py``; every tenth case is left open (no reply, no closure) and given one
of 20 handlers, so the 工作台 has due and overdue steps to list. Then, in one run:

- ``recordkit case list --json`` on the folder, twice (the first fills the parsed-case
  cache, as the first use of a folder does; the second is the usual cost): wall time;
- ``recordkit serve`` as a real subprocess on a free port; a 登记员 made with
  ``recordkit user add``; a real HTTP client (``http.client``, one keep-alive connection,
  the session and CSRF cookies kept by hand) logs in through the login form;
- the first 工作台 request (the server reads every case once), then ``--requests``
  requests each of: 工作台 ``/``, 案件列表 ``/cases/?page=k`` (pages in turn), 案件页
  ``/cases/<no>/`` (cases at random), and saving a case: the edit page is fetched (timed
  as 编辑页), its form filled in as a browser would, ``content`` changed, and POSTed
  (timed as 保存; answered by a redirect). Pages are fetched in turn (工作台, 列表, 案件页,
  保存, …), so every page after a save sees a changed folder, as in an office;
- peak RSS of the server (``VmHWM`` of ``/proc/<pid>/status``; not available off Linux).

Prints one Markdown table: p50 / p95 / max per page against the targets of issue 12.
Not a test (a smoke test runs it with ``--n 20``).
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from generate import make_cases

from recordkit.cases.store import dump_case, load_yaml
from recordkit.config import init_workdir

PASSWORD = "Bench-web-2026-rk"
HANDLERS = [f"经办人{i:02d}" for i in range(1, 21)]
TARGETS = {"工作台": 150, "案件列表": 150, "案件页": 150, "保存": 300}


def make_folder(n: int) -> Path:
    """N cases (every tenth open, with one of 20 handlers), dated an hour ago."""
    root = Path(tempfile.mkdtemp(prefix="rk-bench-web-")) / "work"
    config = init_workdir(root, org_name="漳州市示例检验检测中心")
    make_cases(config, n)
    files = sorted(config.cases_dir.rglob("*.yaml"))
    for i, path in enumerate(files[::10]):
        data = load_yaml(path.read_text(encoding="utf-8"))
        for key in ("closed_at", "reply"):
            data.pop(key, None)
        data["resolution"] = {"measures": data["resolution"]["measures"]}
        data["assignment"]["handler"] = HANDLERS[i % len(HANDLERS)]
        path.write_text(dump_case(data), encoding="utf-8")
    # Files younger than 2 s are read again on every request (racy timestamps): real case
    # files were written long ago.
    past = time.time() - 3600
    for path in files:
        os.utime(path, (past, past))
    return root


def cli(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recordkit.cli", "--config", str(root / "recordkit.toml"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )


def case_list_seconds(root: Path) -> float:
    started = time.perf_counter()
    out = cli(root, "case", "list", "--json")
    seconds = time.perf_counter() - started
    assert out.stdout.lstrip().startswith("["), out.stdout[:200]
    return seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    """`recordkit serve` on ``port``, its messages in ``.recordkit/bench-serve.log``."""
    log = (root / ".recordkit" / "bench-serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "recordkit.cli",
            "--config",
            str(root / "recordkit.toml"),
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"serve exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("serve did not start within 120 s")


class Session:
    """A browser's session over one keep-alive connection: cookies kept, redirects not followed."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, seconds from sending to the last byte)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode("utf-8")
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "http://127.0.0.1/",
            }
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8")
        seconds = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, seconds

    def get(self, path: str) -> tuple[str, float]:
        status, text, seconds = self.request("GET", path)
        assert status == 200, (path, status, text[:500])
        return text, seconds

    def login(self, username: str) -> None:
        page, _ = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, text, _ = self.request(
            "POST",
            "/login/",
            [
                ("csrfmiddlewaretoken", token),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        assert status == 302, (status, text[:500])


@dataclass
class _Form:
    fields: list[tuple[str, str]] = field(default_factory=list)


class FormReader(HTMLParser):
    """The fields of a page's forms as a browser submits them (checked boxes, selected
    options, textareas without the first line break, disabled fields left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._select: tuple[str, list[str], list[str]] | None = None  # name, selected, first option
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form())
        elif tag == "option" and self._select is not None:
            self._select[2].append(a.get("value", ""))
            if "selected" in a:
                self._select[1].append(a.get("value", ""))
        elif not self.forms or "disabled" in a or not a.get("name"):
            return
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.forms[-1].fields.append((a["name"], a.get("value", "on")))
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            self.forms[-1].fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "textarea":
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            name, chosen, options = self._select
            self.forms[-1].fields += [(name, v) for v in (chosen or options[:1])]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            self.forms[-1].fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def case_form(page: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page)
    return next(f.fields for f in reader.forms if any(name == "sha256" for name, _ in f.fields))


def save_case(session: Session, case_no: str, page: str, i: int) -> float:
    """Seconds to save the edit form ``page`` of one case with its content changed."""
    fields = [(k, f"{v} 补充 {i}" if k == "content" else v) for k, v in case_form(page)]
    status, text, seconds = session.request("POST", f"/cases/{case_no}/edit/", fields)
    assert status == 302, (
        case_no,
        status,
        re.findall(r'class="errors?"[^>]*>(.*?)</', text)[:5] or text[:800],
    )
    return seconds


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Wall times per page, and the server's CPU time spent on them (a machine shared
    with other work stretches wall times; the CPU time says what a request costs)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.times: dict[str, list[float]] = {
            "工作台": [],
            "案件列表": [],
            "案件页": [],
            "编辑页": [],
            "保存": [],
        }
        self.cpu: dict[str, float] = dict.fromkeys(self.times, 0.0)

    def note(self, page: str, seconds: float, cpu_before: float | None) -> None:
        self.times[page].append(seconds)
        after = cpu_seconds(self.pid)
        if cpu_before is not None and after is not None:
            self.cpu[page] += after - cpu_before

    def run(self, page: str, fetch) -> None:  # noqa: ANN001 - a zero-argument callable giving seconds
        before = cpu_seconds(self.pid)
        self.note(page, fetch(), before)


def measure(session: Session, meter: Meter, case_nos: list[str], requests: int) -> None:
    """Each page ``requests`` times, in turn: 工作台, 列表, 案件页, 编辑页 + 保存."""
    rng = random.Random(7)
    pages = max(1, len(case_nos) // 50)
    for i in range(requests):
        meter.run("工作台", lambda: session.get("/")[1])
        meter.run("案件列表", lambda i=i: session.get(f"/cases/?page={i % pages + 1}")[1])
        meter.run("案件页", lambda: session.get(f"/cases/{rng.choice(case_nos)}/")[1])
        case_no = rng.choice(case_nos)
        before = cpu_seconds(meter.pid)
        page, edit = session.get(f"/cases/{case_no}/edit/")
        meter.note("编辑页", edit, before)
        before = cpu_seconds(meter.pid)
        meter.note("保存", save_case(session, case_no, page, i), before)


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (peak resident set) of a process; None off Linux."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 50 values: the 48th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def table(
    n: int, meter: Meter, first: float, rss: float | None, cli_times: tuple[float, float]
) -> str:
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    lines = [
        f"recordkit web benchmark — {date.today().isoformat()} — {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {n} cases{load}",
        "",
        "| 页面 (page) | 请求 | p50 | p95 | max | 目标 p95 | server CPU / request |",
        "|---|--:|--:|--:|--:|---|--:|",
    ]
    for name, values in meter.times.items():
        target = TARGETS.get(name)
        verdict = (
            f"< {target} ms {'✓' if percentile(values, 0.95) * 1000 < target else '✗'}"
            if target
            else ""
        )
        cpu = ms(meter.cpu[name] / len(values)) if values else ""
        lines.append(
            f"| {name} | {len(values)} | {ms(statistics.median(values))} | {ms(percentile(values, 0.95))} "
            f"| {ms(max(values))} | {verdict} | {cpu} |"
        )
    lines.append(f"| 首次请求 工作台 (server reads every case once) | 1 | {ms(first)} | | | | |")
    rss_text = (
        "not available (no /proc)" if rss is None else f"{rss:.0f} MiB {'✓' if rss < 300 else '✗'}"
    )
    lines += [
        "",
        f"- peak RSS of the server (VmHWM): {rss_text} (target < 300 MB)",
        f"- `recordkit case list --json`, same folder: {cli_times[0]:.2f} s first (fills the parsed-case "
        f"cache), {cli_times[1]:.2f} s again (wall time, new process each)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10000, help="cases (default 10000)")
    parser.add_argument("--requests", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the working folder (its path is printed)"
    )
    args = parser.parse_args()
    root = make_folder(args.n)
    try:
        cli_times = case_list_seconds(root), case_list_seconds(root)
        cli(
            root,
            "user",
            "add",
            "bench",
            "--role",
            "登记员",
            "--full-name",
            HANDLERS[0],
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        port = free_port()
        server = start_server(root, port)
        try:
            session = Session(port)
            session.login("bench")
            first = session.get("/")[1]
            case_nos = sorted(p.stem for p in (root / "cases").rglob("*.yaml"))
            meter = Meter(server.pid)
            measure(session, meter, case_nos, args.requests)
            rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(table(args.n, meter, first, rss, cli_times))
    finally:
        if args.keep:
            print(f"working folder: {root}")
        else:
            shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
