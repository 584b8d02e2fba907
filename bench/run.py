"""The benchmark: the portal under gunicorn (production settings, sync workers) on
127.0.0.1, a five-year demo dataset, and a load tool at 16 connections.

    .venv/bin/python bench/run.py                  # SQLite, wrk if installed
    .venv/bin/python bench/run.py --db postgresql  # DATABASE_URL names the server

Reports requests/s and p50/p95/p99 per page, each page's cost as a multiple of the
signed-in floor measured in the same run, SQL queries and bytes (raw and gzip) per page.
Writes bench/results/<time>-<db>.md and .json. It is a tool, not a test: it asserts
nothing about timings.
"""

import argparse
import json
import math
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import harness
from pages import SUGGEST_URL, Page, pages

HERE = Path(__file__).resolve().parent

WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-CSRFToken"] = "{csrf}"
wrk.headers["Accept-Encoding"] = "{encoding}"
{extra_headers}
local body = "{body}"
local unique = {unique}
local counter = 0
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function request()
  if body == "" then return wrk.format() end
  if not unique then return wrk.format(nil, nil, nil, body) end
  counter = counter + 1
  local sid = string.format("{nonce}-%04x-4000-8000-%012x", tid, counter)
  return wrk.format(nil, nil, nil, (body:gsub("SUBMISSION_ID", sid)))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {{"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def lua_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def run_wrk(session: harness.Session, page: Page, base: str, args, duration: float) -> dict:
    body = ""
    if page.form:
        form = page.form(session.csrf_token)
        if "submission_id" in form:
            form["submission_id"] = "SUBMISSION_ID"
        body = "&".join(f"{k}={harness.urllib.parse.quote_plus(v)}" for k, v in form.items())
    extra = [f'wrk.headers["{k}"] = "{lua_string(v)}"' for k, v in page.headers().items()]
    if page.form:
        extra.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
    script = WRK_SCRIPT.format(
        method=page.method,
        cookie=lua_string(session.cookie_header()),
        csrf=lua_string(session.csrf_token),
        extra_headers="\n".join(extra),
        body=lua_string(body),
        unique="true" if "SUBMISSION_ID" in body else "false",
        nonce=secrets.token_hex(4),
        encoding="gzip" if args.gzip else "identity",
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                base + page.path,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
    finally:
        Path(handle.name).unlink()
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["status_errors"] + raw["socket_errors"],
    }


def run_python(session: harness.Session, page: Page, base: str, args, duration: float) -> dict:
    """A threaded driver for machines without wrk; the GIL makes it the bottleneck sooner."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        client = harness.Session(base)
        client.cookies = dict(session.cookies)
        client.csrf_token = session.csrf_token
        headers = {**page.headers(), "X-CSRFToken": session.csrf_token}
        headers["Accept-Encoding"] = "gzip" if args.gzip else "identity"
        while time.monotonic() < deadline:
            form = page.form(session.csrf_token) if page.form else None
            if form and "submission_id" in form:
                form["submission_id"] = str(uuid.uuid4())
            began = time.monotonic()
            try:
                ok = harness.is_acknowledged(
                    client.request(page.method, page.path, form=form, headers=headers)
                )
            except OSError:
                ok = False
            with lock:
                latencies.append(time.monotonic() - began)
                errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, math.ceil(p / 100 * len(latencies)) - 1)] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] * 1000,
        "errors": errors[0],
    }


def page_costs(env: dict[str, str], args, end: date) -> dict:
    command = [
        harness.PYTHON,
        str(HERE / "page_costs.py"),
        "--end",
        end.isoformat(),
        "--years",
        str(args.years),
        "--suggest-url",
        args.suggest_url,
        "--write-url",
        args.write_url,
    ]
    out = subprocess.run(command, cwd=harness.ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print(f"page_costs.py failed (queries and bytes left out):\n{out.stderr[-2000:]}")
        return {}
    return json.loads(out.stdout)


def measure(session, page: Page, base: str, args) -> dict:
    form = page.form(session.csrf_token) if page.form else None
    headers = {**page.headers(), "X-CSRFToken": session.csrf_token}
    probe = session.request(page.method, page.path, form=form, headers=headers)
    if probe.status == 404:
        return {"status": "missing"}
    if not harness.is_acknowledged(probe) or (probe.status in (301, 302) and page.method == "GET"):
        return {"status": f"error {probe.status}"}
    driver = run_wrk if args.tool == "wrk" else run_python
    if args.warmup:
        driver(session, page, base, args, args.warmup)
    return {"status": "ok", **driver(session, page, base, args, args.duration)}


def markdown(report: dict) -> str:
    floor = report["floor_rps"]
    lines = [
        f"Run {report['started']} on {report['database']}, {report['tool']}, "
        f"{report['connections']} connections, Accept-Encoding {report['accept_encoding']}, "
        f"gunicorn {report['workers']} sync workers, "
        f"{report['duration']} s per page; floor {floor:.0f} req/s on average "
        f"({report['floor_rps_min']:.0f} to {report['floor_rps_max']:.0f} over the run; "
        "the floor row shows its first run). Cost x floor = floor req/s measured just "
        "before and after the page, divided by the page's req/s.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | cost x floor | target | SQL queries "
        "| bytes | bytes sent gzip | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["pages"]:
        costs = row.get("costs", {})
        target = f"≤ {row['target']}x" if row.get("target") else ""
        queries = costs.get("queries", "")
        size = costs.get("bytes", "")
        packed = costs.get("gzip_bytes", "")
        if row["status"] != "ok":
            lines.append(
                f"| {row['label']} (`{row['path']}`) | {row['status']} | | | | | {target} "
                f"| {queries} | {size} | {packed} | |"
            )
            continue
        ratio = row["cost_ratio"]
        verdict = (
            "" if not row.get("target") else (" met" if ratio <= row["target"] else " NOT met")
        )
        lines.append(
            f"| {row['label']} (`{row['path']}`) | {row['rps']:.{0 if row['rps'] >= 10 else 1}f} "
            f"| {row['p50_ms']:.1f} "
            f"| {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {ratio:.2f}x{verdict} | {target} "
            f"| {queries} | {size} | {packed} | {row['errors']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default="", help="PostgreSQL server (or DATABASE_URL)")
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--entries", type=int, default=300, help="per ordinary patient")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per page, unmeasured")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--tool", choices=["wrk", "python"], default=None)
    parser.add_argument(
        "--no-gzip",
        dest="gzip",
        action="store_false",
        help="send Accept-Encoding: identity (default: gzip, as browsers do)",
    )
    parser.add_argument("--suggest-url", default=SUGGEST_URL)
    parser.add_argument("--write-url", default=harness.ENTRY_CREATE_URL)
    parser.add_argument("--only", nargs="*", help="page names to measure (floor always runs)")
    parser.add_argument("--output", type=Path, default=HERE / "results")
    args = parser.parse_args()
    if not (1 <= args.duration <= 300 and 0 <= args.warmup <= 60 and 1 <= args.connections <= 64):
        parser.error("keep it bounded: --duration 1..300, --warmup 0..60, --connections 1..64")
    args.tool = args.tool or ("wrk" if shutil.which("wrk") else "python")

    started = datetime.now(UTC)
    end = date.today()
    database = harness.scratch_database(args.db, base_url=args.database_url)
    log_path = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
    try:
        env = harness.base_env(database, secrets.token_urlsafe(50))
        print(f"Preparing a {args.years}-year dataset for {args.patients} patients on {args.db}…")
        began = time.monotonic()
        harness.prepare(
            env, patients=args.patients, years=args.years, seed=args.seed, entries=args.entries
        )
        print(f"  ready in {time.monotonic() - began:.0f} s")
        costs = page_costs(env, args, end)
        server = harness.Server(env, workers=args.workers, log_path=log_path)
        selected = pages(
            end=end, years=args.years, suggest_url=args.suggest_url, write_url=args.write_url
        )
        if args.only:
            selected = [p for p in selected if p.name == "floor" or p.name in args.only]
        rows = []
        floors = []
        with harness.running(server):
            session = harness.sign_in(server.base, "heavy")
            if session.fetch_csrf_token(harness.DIARY_URL).status == 404:
                session.fetch_csrf_token("/")
            floor_page, measured = selected[0], selected[1:]
            # The floor runs before every page and once at the end: each page is compared
            # with the floor measured just before and just after it, so background load
            # that drifts during the run (this machine is shared) cancels out.
            print(f"  floor: {floor_page.method} {floor_page.path}")
            floors.append(measure(session, floor_page, server.base, args))
            for page in measured:
                print(f"  {page.name}: {page.method} {page.path}")
                result = measure(session, page, server.base, args)
                if result["status"] == "ok":
                    print("  floor")
                    floors.append(measure(session, floor_page, server.base, args))
                    result["floor_rps_around"] = [floors[-2]["rps"], floors[-1]["rps"]]
                rows.append(
                    {
                        "name": page.name,
                        "label": page.label,
                        "path": page.path,
                        "target": page.target,
                        "costs": costs.get(page.name, {}) if result["status"] == "ok" else {},
                        **result,
                    }
                )
        if any(f["status"] != "ok" for f in floors):
            raise SystemExit(f"The floor did not answer: {floors}")
        floor_rps = sum(f["rps"] for f in floors) / len(floors)
        floor_row = {
            "name": floor_page.name,
            "label": floor_page.label,
            "path": floor_page.path,
            "target": None,
            "costs": costs.get(floor_page.name, {}),
            **floors[0],
            "rps_each_run": [f["rps"] for f in floors],
        }
        floor_row["cost_ratio"] = 1.0
        for row in rows:
            if row["status"] == "ok":
                # Cost per request relative to the floor, at the same concurrency: how
                # many floor requests the server could have answered instead of this one.
                around = sum(row["floor_rps_around"]) / 2
                if row["rps"] == 0:  # nothing finished within the run
                    row["status"] = f"no answer within {args.duration:g} s"
                    continue
                row["cost_ratio"] = around / row["rps"]
                row["target_met"] = (
                    None if not row["target"] else row["cost_ratio"] <= row["target"]
                )
        rows.insert(0, floor_row)
        report = {
            "started": started.isoformat(timespec="seconds"),
            "database": args.db,
            "tool": args.tool,
            "connections": args.connections,
            "accept_encoding": "gzip" if args.gzip else "identity",
            "workers": args.workers,
            "duration": args.duration,
            "dataset": {"patients": args.patients, "years": args.years, "seed": args.seed},
            "floor_rps": floor_rps,
            "floor_rps_min": min(f["rps"] for f in floors),
            "floor_rps_max": max(f["rps"] for f in floors),
            "pages": rows,
        }
        args.output.mkdir(parents=True, exist_ok=True)
        stem = args.output / f"{started:%Y%m%dT%H%M%SZ}-{args.db}"
        stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
        table = markdown(report)
        stem.with_suffix(".md").write_text(table)
        print()
        print(table)
        print(f"Written {stem}.md and .json")
    finally:
        database.close()
        log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
