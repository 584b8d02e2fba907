"""Shared pieces of the benchmark, load and crash scripts.

A scratch database (SQLite file or a fresh PostgreSQL database), the portal under gunicorn
with production settings on 127.0.0.1, a small cookie-keeping HTTP client, sign-in, and
the write contract (`entry_form`). Loopback only: every URL is built from 127.0.0.1 and a
port this process chose for a server it started.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

# The diary's write contract (see bench/README.md, "The write contract").
DIARY_URL = "/diary/"
ENTRY_CREATE_URL = "/diary/entries/new/"

# How to sign in; the only place that knows the login form (adapt here for allauth).
LOGIN_URL = "/accounts/login/"
LOGIN_FIELDS = ("login", "password")  # allauth signs in by email

DEMO_PASSWORD = "demo-data-password-2026"  # noqa: S105 - make_demo_data's default
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


# --- databases -------------------------------------------------------------------------


@dataclass
class ScratchDatabase:
    kind: str  # "sqlite" or "postgresql"
    env: dict[str, str]
    sqlite_path: Path | None = None
    _cleanup: list = field(default_factory=list)

    def close(self) -> None:
        for action in reversed(self._cleanup):
            with contextlib.suppress(Exception):
                action()


def postgres_url_from_env() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def scratch_database(kind: str, *, base_url: str = "", keep: bool = False) -> ScratchDatabase:
    """A new, empty database that only this run uses, removed by close() unless keep."""
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        path = directory / "db.sqlite3"
        db = ScratchDatabase("sqlite", {"SQLITE_PATH": str(path)}, sqlite_path=path)
        if not keep:
            db._cleanup.append(lambda: shutil.rmtree(directory))
        return db
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    import psycopg

    base_url = base_url or postgres_url_from_env()
    if not base_url:
        raise SystemExit("PostgreSQL needs --database-url or DATABASE_URL=postgres://…")
    parts = urllib.parse.urlsplit(base_url)
    name = f"portal_bench_{secrets.token_hex(4)}"
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    db = ScratchDatabase("postgresql", {"DATABASE_URL": url})
    if not keep:

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        db._cleanup.append(drop)
    return db


def base_env(database: ScratchDatabase, secret_key: str) -> dict[str, str]:
    """Production settings (DEBUG off) for the server and for inspecting the database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(database.env)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(
    env: dict[str, str], *args: str, debug: bool = False, timeout: int = 900, root: Path = ROOT
) -> str:
    """manage.py of the checkout at root (this one, or a --compare worktree)."""
    run_env = dict(env, DJANGO_DEBUG="true" if debug else env.get("DJANGO_DEBUG", "false"))
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=root,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(
    env: dict[str, str],
    *,
    patients: int,
    years: int,
    seed: int,
    entries: int,
    end: date | None = None,
    root: Path = ROOT,
) -> None:
    """Migrate, load the fixtures, collect static files and make the demo dataset.

    The same seed, sizes and end day give the same rows on any checkout whose
    make_demo_data is the same (--compare builds one database per side this way).
    """
    manage(env, "migrate", "--noinput", "-v", "0", root=root)
    manage(env, "createcachetable", root=root)  # rate limits and used two-step codes
    # Every fixture (the article, the symptom vocabulary, ...), in one call so references
    # between them resolve; make_demo_data uses those symptoms.
    fixtures = sorted(str(p.relative_to(root)) for p in (root / "fixtures").glob("*.json"))
    manage(env, "loaddata", *fixtures, "-v", "0", root=root)
    manage(env, "collectstatic", "--noinput", "-v", "0", root=root)
    demo = ["--patients", str(patients), "--years", str(years), "--seed", str(seed)]
    demo += ["--entries", str(entries), "--force"]
    if end is not None:
        demo += ["--end", end.isoformat()]
    # make_demo_data also builds the summary's per-day rollups (DiaryDay) for the rows it
    # bulk-inserts, in the same commit that brought them (999585b), so no
    # `rebuild_diary_days` here.
    manage(env, "make_demo_data", *demo, debug=True, root=root)


def inspect(env: dict[str, str], prefix: str = "") -> dict:
    """Entries per submission id (as seen by Django) and, on SQLite, integrity_check."""
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "inspect_db.py"), prefix],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(f"inspect_db.py failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn (sync workers) in its own process group, so it can be killed as a whole."""

    def __init__(
        self, env: dict[str, str], *, workers: int, log_path: Path, root: Path = ROOT
    ) -> None:
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_timeout: float = 60) -> None:
        gunicorn = Path(PYTHON).with_name("gunicorn")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "portal.wsgi:application",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--backlog",
                "256",
                # gunicorn 27's control socket has one fixed path per user: a second
                # instance (load_test --servers 2, run.py --compare) would clash with it.
                "--no-control-socket",
            ],
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", LOGIN_URL)
                if conn.getresponse().status == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {ready_timeout} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole process group: arbiter and workers, mid-request."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- HTTP ------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Session:
    """Cookies and a CSRF token for one signed-in browser; one request at a time."""

    def __init__(self, base: str) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname != HOST:
            raise ValueError("the bench scripts only talk to 127.0.0.1")
        self.port = parts.port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        send = {"Host": HOST, "Accept-Encoding": "identity"}
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            send["Content-Type"] = "application/x-www-form-urlencoded"
        send.update(headers or {})
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=send)
            raw = conn.getresponse()
            data = raw.read()
            for header in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        finally:
            conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def fetch_csrf_token(self, path: str = DIARY_URL) -> Response:
        """Take the CSRF token from a page, as a browser's form (or hx-headers) would."""
        page = self.request("GET", path)
        match = CSRF_INPUT.search(page.text) or CSRF_HEADER.search(page.text)
        if match:
            self.csrf_token = match.group(1)
        return page


def sign_in(base: str, username: str, password: str = DEMO_PASSWORD) -> Session:
    """Sign in through the login form. The one function to adapt when the login changes."""
    session = Session(base)
    page = session.request("GET", LOGIN_URL)
    match = CSRF_INPUT.search(page.text)
    if page.status != 200 or not match:
        raise RuntimeError(f"login page answered {page.status} without a CSRF token")
    user_field, password_field = LOGIN_FIELDS
    answer = session.request(
        "POST",
        LOGIN_URL,
        form={
            "csrfmiddlewaretoken": match.group(1),
            user_field: f"{username}@example.org",
            password_field: password,
        },
    )
    # Production names the cookie __Host-sessionid.
    if answer.status != 302 or not any(name.endswith("sessionid") for name in session.cookies):
        raise RuntimeError(f"sign-in as {username!r} failed with status {answer.status}")
    return session


def entry_form(
    csrf_token: str, *, submission_id: str | None = None, words: str = "bench entry"
) -> dict[str, str]:
    """The write contract: what the diary's create form posts."""
    occurred = datetime.now(ZoneInfo(TIME_ZONE)) - timedelta(minutes=5)
    return {
        "csrfmiddlewaretoken": csrf_token,
        "submission_id": submission_id or str(uuid.uuid4()),
        "own_words": words,
        "severity": "2",
        # The diary's time choice: "another day" takes any date and time (5 minutes ago).
        "when": "other",
        "other_date": occurred.strftime("%Y-%m-%d"),
        "other_time": occurred.strftime("%H:%M"),
        "note": "",
    }


def is_acknowledged(response: Response) -> bool:
    """A save the server confirmed: the htmx fragment (2xx) or the redirect (303/302)."""
    return 200 <= response.status < 300 or response.status in (301, 302, 303)


def write_endpoint_status(session: Session, url: str = ENTRY_CREATE_URL) -> int:
    """GET the create URL: 404 means the diary is not in this build (405/200 mean it is)."""
    return session.request("GET", url).status


# --- another commit, for --compare -----------------------------------------------------


def git(*args: str, root: Path = ROOT) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout.strip()


@contextlib.contextmanager
def worktree(ref: str) -> Iterator[Path]:
    """The commit `ref` checked out (detached) in a temporary git worktree, removed after.

    It runs with this checkout's virtualenv: the script's directory (manage.py) and
    gunicorn's working directory come first on sys.path, before the editable install's
    finder, so `portal` is imported from the worktree (checked below).
    """
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    path = Path(tempfile.mkdtemp(prefix="portal-compare-")) / "checkout"
    git("worktree", "add", "--detach", "--quiet", str(path), commit)
    try:
        found = subprocess.run(
            [PYTHON, "-c", "import portal; print(portal.__file__)"],
            cwd=path,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not found.startswith(str(path)):
            raise RuntimeError(f"the worktree imports portal from {found!r}, not {path}")
        yield path
    finally:
        with contextlib.suppress(RuntimeError):
            git("worktree", "remove", "--force", str(path))
        shutil.rmtree(path.parent, ignore_errors=True)
        with contextlib.suppress(RuntimeError):
            git("worktree", "prune")


def load_entry_form(root: Path):
    """The write contract (entry_form) as the checkout at root defines it, so each side
    of --compare posts the fields its own diary expects; this one's when root has none."""
    if root == ROOT:
        return entry_form
    import importlib.util

    path = root / "bench" / "harness.py"
    spec = importlib.util.spec_from_file_location(f"harness_{uuid.uuid4().hex}", path)
    if spec is None or spec.loader is None or not path.exists():
        return entry_form
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:  # an old harness that does not load: use ours
        return entry_form
    return getattr(module, "entry_form", entry_form)
