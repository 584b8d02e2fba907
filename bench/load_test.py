"""Load and concurrency test: 16 writers and some readers against gunicorn on 127.0.0.1.

    .venv/bin/python bench/load_test.py                       # SQLite, 60 s
    .venv/bin/python bench/load_test.py --db postgresql       # DATABASE_URL names the server
    .venv/bin/python bench/load_test.py --duration 10         # short, for CI

Passes (exit 0) when there were no 5xx answers, no "database is locked" anywhere (answers
or server log), no other unexpected answer, and the diary rows created equal the
acknowledged writes, plus at most the writes still in flight when time ran out. Every
tenth write is posted twice with the same submission_id, as a browser retry would, and
must still create one row. Exit 3: the diary's create endpoint is not in this build.
Runs on a scratch database that it removes afterwards.
"""

import argparse
import json
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import harness

LOCKED = "database is locked"
EXIT_MISSING = 3


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: set[str] = set()
        self.in_flight: set[str] = set()  # no answer (timeout, connection error)
        self.statuses: Counter[int] = Counter()
        self.unexpected: Counter[str] = Counter()
        self.locked_answers = 0
        self.retries = 0
        self.reads = 0

    def answer(self, response: harness.Response, expected: bool) -> None:
        with self.lock:
            self.statuses[response.status] += 1
            if LOCKED in response.text:
                self.locked_answers += 1
            if not expected:
                self.unexpected[f"{response.status}"] += 1


def sign_in_all(base: str, usernames: list[str]) -> list[harness.Session]:
    # PBKDF2 makes each sign-in cost ~1 s of CPU; do them side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(lambda name: harness.sign_in(base, name), usernames))
    for session in sessions:
        session.fetch_csrf_token(harness.DIARY_URL)
    return sessions


def writer(number: int, login: harness.Session, args, deadline: float, tally: Tally) -> None:
    session = harness.Session(f"http://{harness.HOST}:{login.port}")
    session.cookies = dict(login.cookies)
    session.csrf_token = login.csrf_token
    htmx = number % 2 == 0  # half the writers take the htmx path, half the plain one
    headers = {"HX-Request": "true"} if htmx else {}
    sent = 0
    while time.monotonic() < deadline:
        form = harness.entry_form(session.csrf_token, words=f"load writer {number} #{sent}")
        sid = form["submission_id"]
        posts = 2 if args.retry_every and sent % args.retry_every == 0 else 1
        sent += 1
        for attempt in range(posts):
            with tally.lock:
                tally.in_flight.add(sid)
            try:
                response = session.request("POST", args.write_url, form=form, headers=headers)
            except OSError:
                continue  # stays in flight: it may or may not have been saved
            ok = harness.is_acknowledged(response)
            tally.answer(response, ok)
            with tally.lock:
                if ok:
                    tally.acked.add(sid)
                    tally.in_flight.discard(sid)
                    tally.retries += attempt
                elif sid not in tally.acked:
                    tally.in_flight.discard(sid)


def reader(login: harness.Session, args, deadline: float, tally: Tally) -> None:
    session = harness.Session(f"http://{harness.HOST}:{login.port}")
    session.cookies = dict(login.cookies)
    n = 0
    while time.monotonic() < deadline:
        path = args.read_urls[n % len(args.read_urls)]
        n += 1
        try:
            response = session.request("GET", path)
        except OSError:
            with tally.lock:
                tally.unexpected["reader connection error"] += 1
            continue
        tally.answer(response, 200 <= response.status < 300)
        with tally.lock:
            tally.reads += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument(
        "--patients", type=int, default=8, help="distinct signed-in writers (each ~1 s to sign in)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--retry-every", type=int, default=10, help="post every Nth write twice")
    parser.add_argument("--write-url", default=harness.ENTRY_CREATE_URL)
    parser.add_argument("--read-urls", nargs="+", default=[harness.DIARY_URL, "/ping/"])
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")

    database = harness.scratch_database(args.db, base_url=args.database_url, keep=args.keep)
    log_path = Path(tempfile.mkstemp(prefix="load-gunicorn-", suffix=".log")[1])
    try:
        env = harness.base_env(database, secrets.token_urlsafe(50))
        harness.prepare(env, patients=args.patients, years=1, seed=1, entries=20)
        server = harness.Server(env, workers=args.workers, log_path=log_path)
        with harness.running(server):
            usernames = [f"patient{n:04d}" for n in range(1, args.patients + 1)]
            sessions = sign_in_all(server.base, usernames)
            status = harness.write_endpoint_status(sessions[0], args.write_url)
            if status == 404:
                print(f"SKIP: {args.write_url} answers 404 (the diary is not in this build)")
                return EXIT_MISSING
            before = harness.inspect(env, "patient")["entries"]
            tally = Tally()
            deadline = time.monotonic() + args.duration
            threads = [
                threading.Thread(
                    target=writer, args=(n, sessions[n % len(sessions)], args, deadline, tally)
                )
                for n in range(args.writers)
            ] + [
                threading.Thread(
                    target=reader, args=(sessions[n % len(sessions)], args, deadline, tally)
                )
                for n in range(args.readers)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        after = harness.inspect(env, "patient")
        log = server.log_text()
    finally:
        database.close()
        log_path.unlink(missing_ok=True)

    created = {sid: n for sid, n in after["entries"].items() if sid not in before}
    missing = tally.acked - created.keys()
    duplicated = {sid for sid, n in created.items() if n > 1}
    unexplained = created.keys() - tally.acked - tally.in_flight
    five_xx = sum(n for status, n in tally.statuses.items() if status >= 500)
    locked_in_log = log.lower().count(LOCKED)
    report = {
        "database": args.db,
        "seconds": round(elapsed, 1),
        "writers": args.writers,
        "readers": args.readers,
        "acknowledged_writes": len(tally.acked),
        "writes_per_second": round(len(tally.acked) / elapsed, 1),
        "retried_posts": tally.retries,
        "in_flight_at_end": len(tally.in_flight),
        "reads": tally.reads,
        "rows_created": len(created),
        "statuses": dict(sorted(tally.statuses.items())),
        "five_xx": five_xx,
        "database_is_locked": tally.locked_answers + locked_in_log,
        "unexpected_answers": dict(tally.unexpected),
        "acknowledged_but_missing": len(missing),
        "duplicated": len(duplicated),
        "rows_without_a_write": len(unexplained),
        "integrity": after["integrity"],
        "server_tracebacks": log.count("Traceback"),
    }
    passed = (
        five_xx == 0
        and report["database_is_locked"] == 0
        and not tally.unexpected
        and not missing
        and not duplicated
        and not unexplained
        and after["integrity"] in ("ok", "not applicable")
        and len(tally.acked) > 0
    )
    report["passed"] = passed
    print(json.dumps(report, indent=2))
    if not passed and log.strip():
        print("--- server log (last 3000 characters) ---\n" + log[-3000:], file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
