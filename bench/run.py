"""The benchmark: the portal under gunicorn (production settings, sync workers) on
127.0.0.1, a five-year demo dataset, and a load tool at 16 connections.

    .venv/bin/python bench/run.py                  # SQLite, wrk if installed
    .venv/bin/python bench/run.py --db postgresql  # DATABASE_URL names the server
    .venv/bin/python bench/run.py --compare        # and HEAD~1 beside it (or --compare REF)

Reports requests/s and p50/p95/p99 per page, each page's cost as a multiple of the
signed-in floor measured in the same run, SQL queries and bytes (raw and gzip) per page,
and whether each of issue 17's targets is met. With --compare, the same pages of another
commit (a temporary git worktree, its own server and its own database built from the same
demo data seed) run in the same run, alternating with this checkout's, and a side-by-side
table shows both. Writes bench/results/<time>-<db>.md and .json. It is a tool, not a
test: it asserts nothing about timings.
"""

import argparse
import contextlib
import json
import math
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import harness
from pages import P99_TARGET_MS, SUGGEST_URL, Page, pages

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


@dataclass
class Side:
    """One checkout under test: this one, or the --compare commit in a worktree."""

    label: str
    short: str  # for the side-by-side table's headings
    root: Path
    database: harness.ScratchDatabase | None = None
    env: dict[str, str] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    costs: dict = field(default_factory=dict)
    server: harness.Server | None = None
    session: harness.Session | None = None
    floors: list[dict] = field(default_factory=list)
    results: dict[str, dict] = field(default_factory=dict)
    log_path: Path | None = None


def page_costs(side: Side, args, end: date) -> dict:
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
    env = dict(side.env, BENCH_APP_ROOT=str(side.root))
    out = subprocess.run(command, cwd=side.root, env=env, capture_output=True, text=True)
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
    if page.htmx and 300 <= probe.status < 400:  # htmx would get this, not the fragment
        return {"status": f"error {probe.status} (a redirect, not the htmx fragment)"}
    driver = run_wrk if args.tool == "wrk" else run_python
    if args.warmup:
        driver(session, page, base, args, args.warmup)
    return {"status": "ok", **driver(session, page, base, args, args.duration)}


def prepare_side(side: Side, args, end: date) -> float:
    began = time.monotonic()
    side.env = harness.base_env(side.database, secrets.token_urlsafe(50))
    try:
        harness.prepare(
            side.env,
            patients=args.patients,
            years=args.years,
            seed=args.seed,
            entries=args.entries,
            end=end,
            root=side.root,
        )
    except RuntimeError as error:
        # E.g. a commit that does not run on its own (a view committed before the settings
        # it needs): say which side, not a thread pool's traceback.
        raise SystemExit(f"{side.label} could not be set up: {error}") from None
    side.costs = page_costs(side, args, end)
    return time.monotonic() - began


def run_pages(sides: list[Side], args) -> None:
    """The floor on each side, then page by page: each side's page and its floor again.

    The sides take turns (A B, then B A) so drift over the run falls on both alike; each
    page is compared with its own server's floor measured just before and after it.
    """
    floor_page = sides[0].pages[0]
    for side in sides:
        print(f"  floor [{side.label}]: {floor_page.method} {floor_page.path}")
        side.floors.append(measure(side.session, side.pages[0], side.server.base, args))
    for number, name in enumerate(p.name for p in sides[0].pages[1:]):
        for side in sides if number % 2 == 0 else reversed(sides):
            page = next(p for p in side.pages if p.name == name)
            print(f"  {page.name} [{side.label}]: {page.method} {page.path}")
            result = measure(side.session, page, side.server.base, args)
            if result["status"] == "ok":
                side.floors.append(measure(side.session, side.pages[0], side.server.base, args))
                result["floor_rps_around"] = [side.floors[-2]["rps"], side.floors[-1]["rps"]]
            side.results[name] = result


def rows_for(side: Side, args) -> list[dict]:
    if any(f["status"] != "ok" for f in side.floors):
        raise SystemExit(f"The floor did not answer on {side.label}: {side.floors}")
    floor_page = side.pages[0]
    rows = [
        {
            "name": floor_page.name,
            "label": floor_page.label,
            "path": floor_page.path,
            "target": None,
            "costs": side.costs.get(floor_page.name, {}),
            **side.floors[0],
            "rps_each_run": [f["rps"] for f in side.floors],
            "cost_ratio": 1.0,
        }
    ]
    for page in side.pages[1:]:
        result = side.results[page.name]
        row = {
            "name": page.name,
            "label": page.label,
            "path": page.path,
            "target": page.target,
            "relative_target": page.relative_target,
            "costs": side.costs.get(page.name, {}) if result["status"] == "ok" else {},
            **result,
        }
        if row["status"] == "ok":
            if row["rps"] == 0:  # nothing finished within the run
                row["status"] = f"no answer within {args.duration:g} s"
            else:
                # Cost per request relative to the floor, at the same concurrency: how
                # many floor requests the server could have answered instead of this one.
                row["cost_ratio"] = sum(row["floor_rps_around"]) / 2 / row["rps"]
        rows.append(row)
    by_name = {row["name"]: row for row in rows}
    for row in rows:
        if row["status"] != "ok":
            continue
        row["p99_met"] = row["p99_ms"] <= P99_TARGET_MS
        row["target_met"] = None if not row.get("target") else row["cost_ratio"] <= row["target"]
        if row.get("relative_target"):
            other, factor = row["relative_target"]
            base = by_name.get(other, {})
            if base.get("status") == "ok":
                row["relative_ratio"] = row["cost_ratio"] / base["cost_ratio"]
                row["relative_met"] = row["relative_ratio"] <= factor
    return rows


def verdicts(rows: list[dict], connections: int) -> list[dict]:
    """Every target of the run, in the order of issue 17's table: met, not met, or not
    measured (a page that is missing or failed)."""
    by_name = {row["name"]: row for row in rows}
    found = []
    for row in rows:
        measured = row["status"] == "ok"
        if row.get("target"):
            found.append(
                {
                    "target": f"{row['label']}: ≤ {row['target']:g}x the floor",
                    "value": f"{row['cost_ratio']:.2f}x" if measured else row["status"],
                    "met": row.get("target_met") if measured else None,
                }
            )
        if row.get("relative_target"):
            other, factor = row["relative_target"]
            ratio = row.get("relative_ratio")
            other_label = by_name.get(other, {}).get("label", other)
            found.append(
                {
                    "target": f"{row['label']}: ≤ {factor:g} x {other_label}",
                    "value": f"{ratio:.2f} x" if ratio is not None else "not measured",
                    "met": row.get("relative_met"),
                }
            )
    measured = [row for row in rows if row["status"] == "ok"]
    unmeasured = [row["label"] for row in rows if row["status"] != "ok"]
    slowest = max(measured, key=lambda row: row["p99_ms"])
    over = [row["label"] for row in measured if not row["p99_met"]]
    value = f"highest {slowest['p99_ms']:.0f} ms ({slowest['label']})"
    if over:
        value += "; over: " + ", ".join(over)
    if unmeasured:
        value += "; not measured: " + ", ".join(unmeasured)
    where = "" if connections == 16 else f" (this run: {connections} connections)"
    found.append(
        {
            "target": f"every page, p99 at 16 connections ≤ {P99_TARGET_MS:g} ms{where}",
            "value": value,
            "met": None if unmeasured and not over else not over,
        }
    )
    return found


def verdict_word(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]


def page_table(rows: list[dict]) -> list[str]:
    lines = [
        "| page | req/s | p50 ms | p95 ms | p99 ms | cost x floor | target | "
        f"p99 ≤ {P99_TARGET_MS:g} ms | SQL queries | bytes | bytes sent gzip | errors |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    labels = {row["name"]: row["label"] for row in rows}
    for row in rows:
        costs = row.get("costs", {})
        target = f"≤ {row['target']:g}x" if row.get("target") else ""
        queries = costs.get("queries", "")
        size = costs.get("bytes", "")
        packed = costs.get("gzip_bytes", "")
        if row["status"] != "ok":
            lines.append(
                f"| {row['label']} (`{row['path']}`) | {row['status']} | | | | | {target} | "
                f"| {queries} | {size} | {packed} | |"
            )
            continue
        if row.get("target"):
            target += ": " + verdict_word(row["target_met"])
        if row.get("relative_met") is not None:
            other, factor = row["relative_target"]
            ratio, word = row["relative_ratio"], verdict_word(row["relative_met"])
            target += f"; ≤ {factor:g} x {labels.get(other, other)}: {ratio:.2f} x {word}"
        lines.append(
            f"| {row['label']} (`{row['path']}`) | {row['rps']:.{0 if row['rps'] >= 10 else 1}f} "
            f"| {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['cost_ratio']:.2f}x | {target} | {verdict_word(row['p99_met'])} "
            f"| {queries} | {size} | {packed} | {row['errors']} |"
        )
    return lines


def side_markdown(side: dict, report: dict) -> list[str]:
    floor = side["floor_rps"]
    lines = [
        f"### {side['label']}",
        "",
        f"Floor {floor:.0f} req/s on average ({side['floor_rps_min']:.0f} to "
        f"{side['floor_rps_max']:.0f} over the run; the floor row shows its first run).",
        "",
        *page_table(side["pages"]),
        "",
        "| target | this run | |",
        "|---|---|---|",
    ]
    for v in side["verdicts"]:
        lines.append(f"| {v['target']} | {v['value']} | {verdict_word(v['met'])} |")
    met = sum(v["met"] is True for v in side["verdicts"])
    lines += ["", f"{met} of {len(side['verdicts'])} targets met.", ""]
    return lines


def comparison_markdown(this: dict, other: dict) -> list[str]:
    """Cost x floor per page on each side, and the change (this against the other)."""
    lines = [
        f"### Side by side: {this['label']} against {other['label']}",
        "",
        f"| page | target | cost x floor, {this['short']} | cost x floor, {other['short']} "
        f"| change | p99 ms, {this['short']} | p99 ms, {other['short']} |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    theirs = {row["name"]: row for row in other["pages"]}
    for row in this["pages"]:
        old = theirs.get(row["name"], {"status": "not in that run"})
        target = f"≤ {row['target']:g}x" if row.get("target") else ""

        def cost(r: dict) -> str:
            return f"{r['cost_ratio']:.2f}x" if r.get("status") == "ok" else r["status"]

        def p99(r: dict) -> str:
            return f"{r['p99_ms']:.0f}" if r.get("status") == "ok" else ""

        change = ""
        if row["status"] == "ok" and old.get("status") == "ok" and row["name"] != "floor":
            change = f"{(row['cost_ratio'] / old['cost_ratio'] - 1) * 100:+.0f}%"
        lines.append(
            f"| {row['label']} | {target} | {cost(row)} | {cost(old)} | {change} "
            f"| {p99(row)} | {p99(old)} |"
        )
    counts = [
        f"{sum(v['met'] is True for v in s['verdicts'])} of {len(s['verdicts'])}"
        for s in (this, other)
    ]
    lines += [
        "",
        f"Targets met: {counts[0]} ({this['short']}), {counts[1]} ({other['short']}). "
        f"Change: the {this['short']}'s cost x floor against {other['short']}'s; negative "
        "is cheaper.",
        "",
    ]
    return lines


def markdown(report: dict) -> str:
    lines = [
        f"Run {report['started']} on {report['database']}, {report['tool']}, "
        f"{report['connections']} connections, Accept-Encoding {report['accept_encoding']}, "
        f"gunicorn {report['workers']} sync workers, {report['duration']} s per page, "
        f"{report['dataset']['patients']} patients x {report['dataset']['years']} years "
        f"(seed {report['dataset']['seed']}); {report['minutes']:.1f} minutes in all. "
        "Cost x floor = floor req/s measured just before and after the page on the same "
        "server, divided by the page's req/s.",
        "",
    ]
    for side in report["sides"]:
        lines += side_markdown(side, report)
    if len(report["sides"]) == 2:
        lines += comparison_markdown(*report["sides"])
    return "\n".join(lines)


def describe_checkout(ref: str | None) -> str:
    """A short, honest name: the commit, and whether the working tree differs from it."""
    if ref is None:
        dirty = harness.git("status", "--porcelain", "--untracked-files=no")
        head = harness.git("rev-parse", "--short", "HEAD")
        return f"working tree (HEAD {head}{' + uncommitted changes' if dirty else ''})"
    return f"{ref} ({harness.git('rev-parse', '--short', f'{ref}^{{commit}}')})"


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
    parser.add_argument(
        "--compare",
        nargs="?",
        const="HEAD~1",
        default=None,
        metavar="REF",
        help="also run the same pages of this commit (default HEAD~1), side by side",
    )
    parser.add_argument("--suggest-url", default=SUGGEST_URL)
    parser.add_argument("--write-url", default=harness.ENTRY_CREATE_URL)
    parser.add_argument("--only", nargs="*", help="page names to measure (floor always runs)")
    parser.add_argument("--output", type=Path, default=HERE / "results")
    args = parser.parse_args()
    if not (1 <= args.duration <= 300 and 0 <= args.warmup <= 60 and 1 <= args.connections <= 64):
        parser.error("keep it bounded: --duration 1..300, --warmup 0..60, --connections 1..64")
    args.tool = args.tool or ("wrk" if shutil.which("wrk") else "python")
    if args.compare is not None:
        try:
            harness.git("rev-parse", "--verify", f"{args.compare}^{{commit}}")
        except RuntimeError:
            parser.error(f"--compare: {args.compare!r} is not a commit in this repository")

    started = datetime.now(UTC)
    began = time.monotonic()
    end = date.today()  # one end day for both sides, so their demo data are the same rows
    with contextlib.ExitStack() as stack:
        sides = [Side(describe_checkout(None), "working tree", harness.ROOT)]
        if args.compare is not None:
            label = describe_checkout(args.compare)
            print(f"Checking out {label} into a temporary worktree…")
            checkout = stack.enter_context(harness.worktree(args.compare))
            sides.append(Side(label, args.compare, checkout))
        for side in sides:
            side.database = harness.scratch_database(args.db, base_url=args.database_url)
            stack.callback(side.database.close)
            side.log_path = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
            stack.callback(side.log_path.unlink, missing_ok=True)
            side.pages = pages(
                end=end,
                years=args.years,
                suggest_url=args.suggest_url,
                write_url=args.write_url,
                write_form=harness.load_entry_form(side.root),
            )
            if args.only:
                side.pages = [p for p in side.pages if p.name == "floor" or p.name in args.only]
        print(
            f"Preparing a {args.years}-year dataset for {args.patients} patients on {args.db}"
            + (", one database per side…" if len(sides) > 1 else "…")
        )
        # Each side migrates with its own code (the commits' migrations may differ) and
        # makes the same demo rows (same seed, sizes and end day); side by side, as the
        # work is mostly one process each.
        with ThreadPoolExecutor(max_workers=len(sides)) as pool:
            seconds = list(pool.map(lambda side: prepare_side(side, args, end), sides))
        for side, took in zip(sides, seconds, strict=True):
            print(f"  {side.label}: ready in {took:.0f} s")
        for side in sides:
            side.server = harness.Server(
                side.env, workers=args.workers, log_path=side.log_path, root=side.root
            )
            try:
                stack.enter_context(harness.running(side.server))
                side.session = harness.sign_in(side.server.base, "heavy")
            except RuntimeError as error:
                log = side.log_path.read_text(errors="replace")[-2000:]
                raise SystemExit(f"{side.label} did not serve: {error}\n{log}") from None
            if side.session.fetch_csrf_token(harness.DIARY_URL).status == 404:
                side.session.fetch_csrf_token("/")
        run_pages(sides, args)
        for side in sides:
            side.server.stop()
    reported = []
    for side in sides:
        rows = rows_for(side, args)
        floor_rps = [f["rps"] for f in side.floors]
        reported.append(
            {
                "label": side.label,
                "short": side.short,
                "floor_rps": sum(floor_rps) / len(floor_rps),
                "floor_rps_min": min(floor_rps),
                "floor_rps_max": max(floor_rps),
                "pages": rows,
                "verdicts": verdicts(rows, args.connections),
            }
        )
    report = {
        "started": started.isoformat(timespec="seconds"),
        "minutes": (time.monotonic() - began) / 60,
        "database": args.db,
        "tool": args.tool,
        "connections": args.connections,
        "accept_encoding": "gzip" if args.gzip else "identity",
        "workers": args.workers,
        "duration": args.duration,
        "dataset": {"patients": args.patients, "years": args.years, "seed": args.seed},
        "compare": args.compare,
        "sides": reported,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    suffix = "-compare" if args.compare is not None else ""
    stem = args.output / f"{started:%Y%m%dT%H%M%SZ}-{args.db}{suffix}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    stem.with_suffix(".md").write_text(table)
    print()
    print(table)
    print(f"Written {stem}.md and .json")


if __name__ == "__main__":
    main()
