"""Lighthouse on the home, a community and a thread page: mobile form factor, simulated throttling.

    PYTHONPATH=src .venv/bin/python benchmarks/run_lighthouse.py [--runs N] [--reports DIR] [--min-score S]

Set-up as `make bench` (run.py): a throwaway DATA_DIR, `migrate`, `collectstatic`, the thread
benchmark's seed (a public community, a thread with 50 replies and a signed-in member), then the
application under uvicorn (one worker, DEBUG off) on a free 127.0.0.1 port. Lighthouse 12.2.3
(pinned in benchmarks/lighthouse/package.json; newer releases need Node 22) is installed there
with `npm ci` when missing. It drives Chromium (CHROMIUM_PATH, default /usr/bin/chromium) headless
with Lighthouse's defaults: the "mobile" form factor and simulated throttling (slow 4G, 4x CPU
slowdown). Signed-in pages get the member's session and CSRF cookies through `--extra-headers`.
Nothing but 127.0.0.1 is contacted.

Prints one table (performance and accessibility scores, FCP, LCP, TBT, CLS, Speed Index, bytes
transferred, the HTML document's own bytes) and, per page, what Lighthouse says would help most.
With --runs N each page is audited N times and the run with the median performance score is shown.

Exit status: 0; 1 if an audit failed twice in a row, or a score is below --min-score (off by
default); 2 if set-up failed; 130/143 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness import BENCH_DIR, HOST, SRC_DIR, Server, Table
from run import (
    STATIC_ROOT,
    STATIC_URL,
    TERMINATING_SIGNALS,
    _is_true,
    _terminate,
    ensure_postgres_database,
    machine_info,
    remove_leftovers,
    run_step,
    server_env,
)
from seed import MARKER, SEED_ERROR

LIGHTHOUSE_DIR = BENCH_DIR / "lighthouse"
LIGHTHOUSE_BIN = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
INSTALL_STAMP = LIGHTHOUSE_DIR / "node_modules" / ".installed"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
LIGHTHOUSE_TIMEOUT = 240  # seconds per audit
ATTEMPTS = 2  # per audit: a failed audit is run once more before it counts as failed
SEED_MODULE = "bench_thread"  # its seed makes a public community, a 50-reply thread and a signed-in member
METRICS = [
    ("FCP", "first-contentful-paint"),
    ("LCP", "largest-contentful-paint"),
    ("TBT", "total-blocking-time"),
    ("CLS", "cumulative-layout-shift"),
    ("SI", "speed-index"),
]

COLUMNS = ["page", "signed in", "performance", "accessibility", *(name for name, _ in METRICS)]
COLUMNS += ["transferred", "HTML document"]


@dataclass
class Page:
    name: str
    path: str
    signed_in: bool


# --- Lighthouse installation --------------------------------------------------------------------


def ensure_lighthouse() -> str:
    """Install the pinned Lighthouse with `npm ci` if missing or older than package-lock.json."""
    lock = LIGHTHOUSE_DIR / "package-lock.json"
    current = INSTALL_STAMP.exists() and INSTALL_STAMP.stat().st_mtime >= lock.stat().st_mtime
    if not (current and LIGHTHOUSE_BIN.exists()):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed: Lighthouse needs Node.js 20 and npm")
        print("- npm ci (benchmarks/lighthouse) ...", end="", flush=True)
        started = time.monotonic()
        proc = subprocess.run(  # noqa: S603 - npm with fixed arguments
            [npm, "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=LIGHTHOUSE_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0 or not LIGHTHOUSE_BIN.exists():
            print(" failed")
            raise RuntimeError(f"npm ci exited {proc.returncode}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        INSTALL_STAMP.touch()
        print(f" {time.monotonic() - started:.1f} s", flush=True)
    package = json.loads((LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").read_text())
    return str(package["version"])


def chrome_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError(f"Chromium not found at {path} (set CHROMIUM_PATH; on Debian: apt-get install chromium)")
    return path


# --- Running Lighthouse -------------------------------------------------------------------------


def lighthouse(url: str, out: Path, headers: dict[str, str], chrome: str) -> dict[str, Any]:
    """One audit; returns Lighthouse's JSON report (also kept at `out`)."""
    args = [
        str(LIGHTHOUSE_BIN),
        url,
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if headers:
        args.append(f"--extra-headers={json.dumps(headers)}")
    env = {**os.environ, "CHROME_PATH": chrome}
    proc = subprocess.Popen(  # noqa: S603 - the pinned Lighthouse, fixed arguments
        args,
        cwd=LIGHTHOUSE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Lighthouse and the Chromium it starts: stopped as a group
    )
    try:
        stdout, stderr = proc.communicate(timeout=LIGHTHOUSE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"Lighthouse did not finish within {LIGHTHOUSE_TIMEOUT} s for {url}") from None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"Lighthouse exited {proc.returncode} for {url}:\n{stdout[-1500:]}{stderr[-1500:]}")
    report: dict[str, Any] = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"Lighthouse could not audit {url}: {report['runtimeError']}")
    return report


def score(report: dict[str, Any], category: str) -> int | None:
    value = report["categories"][category]["score"]
    return None if value is None else round(value * 100)


def document_bytes(report: dict[str, Any]) -> int | None:
    """Transfer size of the main HTML document (headers included, as Lighthouse counts)."""
    final_url = report.get("finalDisplayedUrl") or report.get("finalUrl")
    items = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    for item in items:
        if item.get("resourceType") == "Document" and item.get("url") == final_url:
            return int(item.get("transferSize") or 0)
    return None


def opportunities(report: dict[str, Any], limit: int = 4) -> list[str]:
    """What Lighthouse says would help most: failing performance audits (opportunities and diagnostics,
    largest estimated saving first), then every failing accessibility audit."""
    audits = report["audits"]
    found = []
    for ref in report["categories"]["performance"]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if ref.get("group") == "metrics" or audit.get("score") is None or audit["score"] >= 0.9:
            continue
        if audit.get("scoreDisplayMode") not in {"metricSavings", "binary"}:
            continue  # e.g. Max Potential FID: a number, not something to fix
        details = audit.get("details") or {}
        metric_savings = (audit.get("metricSavings") or {}).values()
        savings_ms = float(details.get("overallSavingsMs") or max(metric_savings, default=0))
        savings_bytes = float(details.get("overallSavingsBytes") or 0)
        text = str(audit["title"])
        if audit.get("displayValue"):
            text += f": {audit['displayValue']}".replace("\xa0", " ")
        if savings_ms:
            text += f" (est. ~{savings_ms:,.0f} ms)"
        found.append((savings_ms, savings_bytes, text))
    found.sort(key=lambda item: (-item[0], -item[1]))
    lines = [text for _, _, text in found[:limit]]
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
            lines.append(f"accessibility: {audit['title']}")
    return lines


def median_report(reports: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(reports, key=lambda report: report["categories"]["performance"]["score"] or 0)
    return ordered[len(ordered) // 2]


def fmt_kib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1024:,.1f} KiB"


def metric(report: dict[str, Any], audit_id: str) -> str:
    audit = report["audits"].get(audit_id, {})
    return str(audit.get("displayValue") or "n/a").replace("\xa0", " ")


# --- Main ---------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="audits per page; the median one is shown (default 1)")
    parser.add_argument("--reports", type=Path, help="keep every JSON report in this folder")
    parser.add_argument("--min-score", type=int, help="exit 1 if any score is below this (0-100; default: off)")
    args = parser.parse_args()
    if not 1 <= args.runs <= 9:
        parser.error("--runs must be between 1 and 9")
    if args.min_score is not None and not 0 <= args.min_score <= 100:
        parser.error("--min-score must be between 0 and 100")
    return args


def main() -> int:
    args = parse_args()
    for signum in TERMINATING_SIGNALS:
        signal.signal(signum, _terminate)
    started = time.monotonic()
    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    with contextlib.ExitStack() as stack:
        remove_leftovers()
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"alongside-bench-{os.getpid()}-")))
        data_dir, ref_dir = work / "data", work / "ref"
        data_dir.mkdir()
        ref_dir.mkdir()
        reports_dir = args.reports or work / "reports"
        reports_dir.mkdir(parents=True, exist_ok=True)
        env = server_env(data_dir, ref_dir)
        print(f"Set-up (DATA_DIR={data_dir}):")
        version = ensure_lighthouse()
        chrome = chrome_path()
        if urlsplit(env.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql"}:
            ensure_postgres_database(env["DATABASE_URL"])
        run_step("manage.py migrate", ["manage.py", "migrate", "--noinput", "--verbosity", "0"], env)
        if not _is_true(env.get("STATIC_FROM_SOURCE")):
            run_step("manage.py collectstatic", ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
        static_name = f"_bench-{os.getpid()}"
        static_dir = STATIC_ROOT / static_name
        stack.callback(shutil.rmtree, static_dir, ignore_errors=True)
        seed_out = run_step(
            "seed data",
            [str(BENCH_DIR / "seed.py"), str(static_dir), f"{STATIC_URL}{static_name}/", SEED_MODULE],
            env,
        )
        seeded = json.loads(next(line for line in seed_out.splitlines() if line.startswith(MARKER))[len(MARKER) :])
        thread = seeded["modules"].get(SEED_MODULE, {})
        if thread.get(SEED_ERROR) or not {"path", "cookie"} <= thread.keys():
            detail = thread.get(SEED_ERROR, thread)
            raise RuntimeError(f"the thread seed did not give a thread path and cookie:\n{detail}")
        community_path = "/".join(thread["path"].split("/")[:3]) + "/"  # /c/<slug>/t/<id>/ -> /c/<slug>/
        pages = [
            Page("home", "/", signed_in=False),
            Page("community", community_path, signed_in=True),
            Page("thread (50 replies)", thread["path"], signed_in=True),
        ]
        app = stack.enter_context(Server("app", "alongside.asgi:application", SRC_DIR, env, work, "/healthz"))
        app.wait_ready()
        print(f"- uvicorn: app on {HOST}:{app.port} (pid {app.pid})")
        print()
        print("## Alongside Lighthouse audits")
        print()
        print(f"- machine: {machine_info()} (before set-up: {load_before})")
        print(f"- Python {platform.python_version()}; Lighthouse {version}; Chromium at {chrome}; app under uvicorn, "
              "1 worker, DEBUG off, static files from WhiteNoise")  # fmt: skip
        print(f"- Lighthouse defaults: mobile form factor, simulated throttling; {args.runs} audit(s) per page, "
              "the median shown; signed-in pages carry the member's session and CSRF cookies")  # fmt: skip
        print()
        rows, notes, failed, low = [], [], 0, []
        cookie = {"Cookie": thread["cookie"]}
        for page in pages:
            url = f"http://{HOST}:{app.port}{page.path}"
            reports = []
            for run_number in range(1, args.runs + 1):
                out = reports_dir / f"{page.name.split(' ')[0]}-{run_number}.json"
                print(f"  auditing {page.name} ({url}), run {run_number} ...", flush=True)
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        reports.append(lighthouse(url, out, cookie if page.signed_in else {}, chrome))
                        break
                    except RuntimeError as exc:
                        # Lighthouse sometimes fails to record the trace (NO_NAVSTART, NO_FCP): try again.
                        again = attempt < ATTEMPTS
                        print(f"  failed{', trying again' if again else ''}: {exc}", file=sys.stderr, flush=True)
                        failed += 0 if again else 1
            if not reports:
                rows.append([page.name, "yes" if page.signed_in else "no", *["n/a"] * 9])
                continue
            report = median_report(reports)
            performance, accessibility = score(report, "performance"), score(report, "accessibility")
            scores = [value for value in (performance, accessibility) if value is not None]
            if args.min_score is not None and any(value < args.min_score for value in scores):
                low.append(page.name)
            all_perf = sorted(score(r, "performance") or 0 for r in reports)
            perf_cell = "n/a" if performance is None else str(performance)
            if performance is not None and len(reports) > 1:
                perf_cell += f" ({all_perf[0]}-{all_perf[-1]})"
            rows.append(
                [
                    page.name,
                    "yes" if page.signed_in else "no",
                    perf_cell,
                    "n/a" if accessibility is None else str(accessibility),
                    *(metric(report, audit_id) for _, audit_id in METRICS),
                    fmt_kib(report["audits"]["total-byte-weight"].get("numericValue")),
                    fmt_kib(document_bytes(report)),
                ]
            )
            tips = opportunities(report)
            notes.append(f"- {page.name}: " + ("; ".join(tips) if tips else "no failing audit with savings"))
        table = Table(
            title="Lighthouse: mobile, simulated throttling",
            columns=COLUMNS,
            rows=rows,
            notes=[
                "`transferred`: every response the page load fetched (Lighthouse's total byte weight, as sent on the "
                "wire); `HTML document`: the page itself. What would help most, by Lighthouse's estimate:",
                *notes,
            ],
        )
        print()
        print(table.render(), flush=True)
        if args.reports:
            print(f"\nJSON reports kept in {args.reports}")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nDone in {time.monotonic() - started:.0f} s; load average now {load}.")
    if low:
        print(f"Scores below {args.min_score}: {low}")
    return 1 if failed or low else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nInterrupted; server stopped.", file=sys.stderr)
        sys.exit(130)
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        print(f"\nLighthouse set-up failed: {exc}", file=sys.stderr)
        sys.exit(2)
