"""Load and concurrency test: 16 writers and some readers against gunicorn on 127.0.0.1.

    .venv/bin/python bench/load_test.py                       # SQLite, 60 s
    .venv/bin/python bench/load_test.py --db postgresql       # DATABASE_URL names the server
    .venv/bin/python bench/load_test.py --duration 10         # short, for CI
    .venv/bin/python bench/load_test.py --db postgresql --servers 2   # scale-out

Passes (exit 0) when there were no 5xx answers, no "database is locked" anywhere (answers
or server log), no other unexpected answer, and the diary rows created equal the
acknowledged writes, plus at most the writes still in flight when time ran out. Every
tenth write is posted twice with the same submission_id, as a browser retry would, and
must still create one row. Exit 3: the diary's create endpoint is not in this build.
Runs on a scratch database that it removes afterwards.

--servers 2 (PostgreSQL only) starts two gunicorn instances on their own ports against
the one database and spreads writers and readers over both, each session also used on the
server it did not sign in on. It also passes only if a session signed in on one server is
signed in on the other, and failed sign-ins alternated between the servers are paused at
the same count as on one server (and the pause holds on both). SQLite refuses (exit 2):
one database file on one machine is not a setup of several servers.
"""

import argparse
import contextlib
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
EXIT_REFUSED = 2
EXIT_MISSING = 3
SQLITE_REFUSAL = (
    "--servers {n} needs PostgreSQL (--db postgresql): several app servers share one "
    "database server, and one SQLite file lives on one machine, so two servers on it would "
    "prove nothing about scale-out. For more processes on one machine use --workers."
)
WRONG_PASSWORD = "not-the-password-2026"  # noqa: S105 - a failed sign-in on purpose


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


def sign_in_all(base: str | list[str], usernames: list[str]) -> list[harness.Session]:
    """Sign each user in; with several servers, user n on server n modulo their number."""
    bases = [base] if isinstance(base, str) else base
    # Password hashing makes each sign-in cost CPU; do them side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(
            pool.map(
                lambda n: harness.sign_in(bases[n % len(bases)], usernames[n]),
                range(len(usernames)),
            )
        )
    for session in sessions:
        session.fetch_csrf_token(harness.DIARY_URL)
    return sessions


def server_for(number: int, sessions: int, servers: list[harness.Server]) -> str:
    """Where client `number` sends its requests. It uses session number % sessions, signed
    in on server (number % sessions) % len(servers); shifting by number // sessions sends
    the next round of clients with the same sessions to the other servers."""
    return servers[(number + number // sessions) % len(servers)].base


def writer(number: int, login: harness.Session, base: str, args, deadline, tally) -> None:
    session = harness.Session(base)
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


def reader(login: harness.Session, base: str, args, deadline: float, tally: Tally) -> None:
    session = harness.Session(base)
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


def session_across_servers(servers: list[harness.Server], username: str) -> dict:
    """Sign in on the first server; the same cookies must be signed in on every other one:
    /ping/ names the same user, the diary answers 200 (signed out it redirects to sign-in,
    which a request without the cookies shows)."""
    login = harness.sign_in(servers[0].base, username)
    own = login.request("GET", "/ping/")
    found: dict = {"signed_in_on": servers[0].port, "user": own.text.strip(), "others": []}
    ok = own.status == 200 and own.text.startswith("ok ") and own.text.strip() != "ok None"
    for server in servers[1:]:
        other = harness.Session(server.base)
        other.cookies = dict(login.cookies)
        ping = other.request("GET", "/ping/")
        diary = other.request("GET", harness.DIARY_URL)
        signed_out = harness.Session(server.base).request("GET", harness.DIARY_URL)
        same_user = ping.status == 200 and ping.text == own.text
        found["others"].append(
            {
                "port": server.port,
                "ping": ping.status,
                "same_user": same_user,
                "diary": diary.status,
                "diary_signed_out": signed_out.status,
            }
        )
        ok = ok and same_user and diary.status == 200 and signed_out.status in (302, 303)
    found["passed"] = ok
    return found


def failures_until_paused(bases: list[str], username: str, most: int) -> tuple[int, int]:
    """Wrong passwords for one account, sent to bases in turn, until one is refused with
    429 (the pause): (attempts made including the refused one, or 0 if never; index of the
    base that refused)."""
    for attempt in range(1, most + 1):
        base = bases[(attempt - 1) % len(bases)]
        session = harness.Session(base)
        page = session.request("GET", harness.LOGIN_URL)
        token = harness.CSRF_INPUT.search(page.text)
        if token is None:
            raise RuntimeError(f"login page on {base} answered {page.status} without a token")
        user_field, password_field = harness.LOGIN_FIELDS
        answer = session.request(
            "POST",
            harness.LOGIN_URL,
            form={
                "csrfmiddlewaretoken": token.group(1),
                user_field: f"{username}@example.org",
                password_field: WRONG_PASSWORD,
            },
        )
        if answer.status == 429:
            return attempt, (attempt - 1) % len(bases)
        if answer.status != 200:  # a refused password re-renders the form
            raise RuntimeError(f"a wrong password answered {answer.status} on {base}")
    return 0, -1


def throttling_across_servers(
    servers: list[harness.Server], usernames: tuple[str, str], limit: int
) -> dict:
    """The count that pauses an account, on one server and alternated over all of them,
    must be the same, the configured limit; and once paused, the right password is refused
    on every server. (axes counts failures in the database, AccessAttempt rows.)"""
    bases = [server.base for server in servers]
    most = limit * len(servers) + 2  # per-process counting would need up to this many
    alone, _ = failures_until_paused(bases[:1], usernames[0], most)
    spread, refused_by = failures_until_paused(bases, usernames[1], most)
    still_paused = []
    for base in bases:
        try:
            harness.sign_in(base, usernames[1])
            still_paused.append(False)
        except RuntimeError as error:  # sign_in raises unless it gets the session cookie
            still_paused.append("429" in str(error))
    return {
        "configured_limit": limit,
        "paused_at_attempt_one_server": alone,
        "paused_at_attempt_alternating": spread,
        "refused_by_server": refused_by,
        "right_password_refused_while_paused": still_paused,
        # The pause comes with the limit's failure on one server, and at the same total
        # alternated: one shared count, not one per server or worker.
        "passed": alone == limit and spread == alone and all(still_paused),
    }


def failure_limit(env: dict[str, str]) -> int:
    """The deployment's AXES_FAILURE_LIMIT (PORTAL_SIGNIN_FAILURE_LIMIT), from its settings."""
    code = "from django.conf import settings; print(settings.AXES_FAILURE_LIMIT)"
    return int(harness.manage(env, "shell", "--no-imports", "-c", code).split()[-1])


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
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers per server")
    parser.add_argument(
        "--servers", type=int, default=1, help="gunicorn instances on one PostgreSQL database"
    )
    parser.add_argument("--retry-every", type=int, default=10, help="post every Nth write twice")
    parser.add_argument("--write-url", default=harness.ENTRY_CREATE_URL)
    parser.add_argument("--read-urls", nargs="+", default=[harness.DIARY_URL, "/ping/"])
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 1 <= args.servers <= 4:
        parser.error("--servers must be between 1 and 4")
    if args.servers > 1 and args.db == "sqlite":
        print(SQLITE_REFUSAL.format(n=args.servers), file=sys.stderr)
        return EXIT_REFUSED

    database = harness.scratch_database(args.db, base_url=args.database_url, keep=args.keep)
    log_paths = [
        Path(tempfile.mkstemp(prefix=f"load-gunicorn-{n}-", suffix=".log")[1])
        for n in range(args.servers)
    ]
    cross: dict = {}
    try:
        # One secret key for every server, as a deployment shares it: sessions, CSRF
        # tokens and message cookies are signed with it.
        env = harness.base_env(database, secrets.token_urlsafe(50))
        # Three more patients than sessions, for the cross-server sign-in checks.
        extra = 3 if args.servers > 1 else 0
        harness.prepare(env, patients=args.patients + extra, years=1, seed=1, entries=20)
        servers = [harness.Server(env, workers=args.workers, log_path=path) for path in log_paths]
        with contextlib.ExitStack() as stack:
            for server in servers:
                stack.enter_context(harness.running(server))
            usernames = [f"patient{n:04d}" for n in range(1, args.patients + 1)]
            sessions = sign_in_all([server.base for server in servers], usernames)
            status = harness.write_endpoint_status(sessions[0], args.write_url)
            if status == 404:
                print(f"SKIP: {args.write_url} answers 404 (the diary is not in this build)")
                return EXIT_MISSING
            if args.servers > 1:
                spare = [f"patient{n:04d}" for n in range(args.patients + 1, args.patients + 4)]
                cross["session"] = session_across_servers(servers, spare[0])
                cross["throttling"] = throttling_across_servers(
                    servers, (spare[1], spare[2]), failure_limit(env)
                )
            before = harness.inspect(env, "patient")["entries"]
            tally = Tally()
            deadline = time.monotonic() + args.duration
            threads = [
                threading.Thread(
                    target=writer,
                    args=(
                        n,
                        sessions[n % len(sessions)],
                        server_for(n, len(sessions), servers),
                        args,
                        deadline,
                        tally,
                    ),
                )
                for n in range(args.writers)
            ] + [
                threading.Thread(
                    target=reader,
                    args=(
                        sessions[n % len(sessions)],
                        server_for(n, len(sessions), servers),
                        args,
                        deadline,
                        tally,
                    ),
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
        log = "".join(server.log_text() for server in servers)
    finally:
        database.close()
        for path in log_paths:
            path.unlink(missing_ok=True)

    created = {sid: n for sid, n in after["entries"].items() if sid not in before}
    missing = tally.acked - created.keys()
    duplicated = {sid for sid, n in created.items() if n > 1}
    unexplained = created.keys() - tally.acked - tally.in_flight
    five_xx = sum(n for status, n in tally.statuses.items() if status >= 500)
    locked_in_log = log.lower().count(LOCKED)
    report = {
        "database": args.db,
        "servers": args.servers,
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
        **({"across_servers": cross} if cross else {}),
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
        and all(check["passed"] for check in cross.values())
    )
    report["passed"] = passed
    print(json.dumps(report, indent=2))
    if not passed and log.strip():
        print("--- server log (last 3000 characters) ---\n" + log[-3000:], file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
