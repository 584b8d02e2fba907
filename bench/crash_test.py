"""Crash test: SIGKILL the whole gunicorn process group while writes stream in, restart it,
and check that nothing acknowledged was lost or doubled.

    .venv/bin/python bench/crash_test.py                  # SQLite, 5 kills
    .venv/bin/python bench/crash_test.py --db postgresql  # DATABASE_URL names the server

After each kill, with the server down: every acknowledged entry is in the database exactly
once and (SQLite) PRAGMA integrity_check is ok. After the restart, every write that got no
answer is posted again with the same submission_id, as a browser retry after a timeout
would: each must be acknowledged and exist exactly once. Before the kills, one form is
posted twice in a row and must create one entry. Exit 3: the diary's create endpoint is
not in this build. Runs on a scratch database that it removes afterwards.
"""

import argparse
import json
import random
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

import harness
from load_test import EXIT_MISSING, sign_in_all


class Stream:
    """Writers posting entries until stopped; remembers what was acknowledged."""

    def __init__(self, sessions: list[harness.Session], writers: int, write_url: str) -> None:
        self.sessions = sessions
        self.writers = writers
        self.write_url = write_url
        self.lock = threading.Lock()
        self.acked: set[str] = set()
        self.unanswered: dict[str, tuple[harness.Session, dict, dict]] = {}
        self.refused: list[int] = []
        self.stop = threading.Event()

    def run(self, number: int) -> None:
        login = self.sessions[number % len(self.sessions)]
        session = harness.Session(f"http://{harness.HOST}:{login.port}")
        session.cookies, session.csrf_token = dict(login.cookies), login.csrf_token
        headers = {"HX-Request": "true"} if number % 2 == 0 else {}
        n = 0
        while not self.stop.is_set():
            form = harness.entry_form(session.csrf_token, words=f"crash writer {number} #{n}")
            n += 1
            try:
                response = session.request(
                    "POST", self.write_url, form=form, headers=headers, timeout=10
                )
            except OSError:
                with self.lock:
                    self.unanswered[form["submission_id"]] = (session, form, headers)
                time.sleep(0.05)  # the server is down; wait for the test to stop us
                continue
            with self.lock:
                if harness.is_acknowledged(response):
                    self.acked.add(form["submission_id"])
                else:
                    self.refused.append(response.status)

    def __enter__(self):
        self.stop.clear()
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(self.writers)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def check(state: dict, acked: set[str]) -> list[str]:
    problems = []
    missing = acked - state["entries"].keys()
    doubled = [sid for sid in acked if state["entries"].get(sid, 0) > 1]
    if missing:
        problems.append(f"{len(missing)} acknowledged entries missing")
    if doubled:
        problems.append(f"{len(doubled)} acknowledged entries saved more than once")
    if state["integrity"] not in ("ok", "not applicable"):
        problems.append(f"integrity_check: {state['integrity'][:5]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--patients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--min-run", type=float, default=0.5, help="seconds of writes, at least")
    parser.add_argument("--max-run", type=float, default=2.0, help="seconds of writes, at most")
    parser.add_argument("--seed", type=int, default=None, help="for the kill timings")
    parser.add_argument("--write-url", default=harness.ENTRY_CREATE_URL)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if not 1 <= args.kills <= 50 or not 0 < args.min_run <= args.max_run <= 30:
        parser.error("--kills must be 1..50 and 0 < --min-run <= --max-run <= 30")
    rng = random.Random(args.seed)

    database = harness.scratch_database(args.db, base_url=args.database_url, keep=args.keep)
    log_path = Path(tempfile.mkstemp(prefix="crash-gunicorn-", suffix=".log")[1])
    server = None
    rounds = []
    problems: list[str] = []
    try:
        env = harness.base_env(database, secrets.token_urlsafe(50))
        harness.prepare(env, patients=args.patients, years=1, seed=1, entries=5)
        server = harness.Server(env, workers=args.workers, log_path=log_path)
        server.start()
        usernames = [f"patient{n:04d}" for n in range(1, args.patients + 1)]
        sessions = sign_in_all(server.base, usernames)
        if harness.write_endpoint_status(sessions[0], args.write_url) == 404:
            print(f"SKIP: {args.write_url} answers 404 (the diary is not in this build)")
            return EXIT_MISSING

        # The same form posted twice (a retry after a timeout) saves one entry.
        form = harness.entry_form(sessions[0].csrf_token, words="posted twice")
        answers = [
            sessions[0].request("POST", args.write_url, form=form, headers={"HX-Request": "true"})
            for _ in range(2)
        ]
        twice = harness.inspect(env, "patient")["entries"].get(form["submission_id"], 0)
        if not all(harness.is_acknowledged(a) for a in answers) or twice != 1:
            problems.append(
                f"posting one form twice gave answers {[a.status for a in answers]} "
                f"and {twice} entries (want 2 acknowledgements and 1 entry)"
            )

        stream = Stream(sessions, args.writers, args.write_url)
        for kill in range(1, args.kills + 1):
            with stream:
                time.sleep(rng.uniform(args.min_run, args.max_run))
                server.kill()
            state = harness.inspect(env, "patient")
            found = check(state, stream.acked)
            server.start()
            retried = dict(stream.unanswered)
            stream.unanswered.clear()
            # Saved before the kill but never answered: the retry below must not double them.
            saved_unanswered = len(retried.keys() & state["entries"].keys())
            for sid, (session, form, headers) in retried.items():
                response = session.request("POST", args.write_url, form=form, headers=headers)
                if harness.is_acknowledged(response):
                    stream.acked.add(sid)
                else:
                    found.append(f"retry of an unanswered write answered {response.status}")
            after_retry = harness.inspect(env, "patient")
            found += check(after_retry, stream.acked)
            rounds.append(
                {
                    "kill": kill,
                    "acknowledged_so_far": len(stream.acked),
                    "unanswered_then_retried": len(retried),
                    "of_which_already_saved": saved_unanswered,
                    "integrity": state["integrity"],
                    "problems": found,
                }
            )
            print(json.dumps(rounds[-1]))
            problems += [f"kill {kill}: {p}" for p in found]
        if stream.refused:
            problems.append(f"writes refused with statuses {sorted(set(stream.refused))}")
    finally:
        if server is not None:
            server.stop()
        log = log_path.read_text(errors="replace")
        log_path.unlink(missing_ok=True)
        database.close()

    total = rounds[-1]["acknowledged_so_far"] if rounds else 0
    if total == 0:
        problems.append("no write was acknowledged; nothing was tested")
    report = {
        "database": args.db,
        "kills": len(rounds),
        "acknowledged_writes": total,
        "server_tracebacks": log.count("Traceback"),
        "problems": problems,
        "passed": not problems,
    }
    print(json.dumps(report, indent=2))
    if problems:
        print("--- server log (last 3000 characters) ---\n" + log[-3000:], file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
