"""SQL queries and response bytes per page, through Django's test client.

Run by bench/run.py with the server's environment (same database, production settings),
from the checkout being measured (BENCH_APP_ROOT, for --compare's other commit):
prints JSON {name: {"status", "queries", "bytes", "gzip_bytes", "compressed_by_server"}}.
Each page is requested twice and the second request counted, so one-off work (e.g. a
first session write) is not.
"""

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT") or HERE.parent).resolve()
sys.path[:0] = [str(HERE), str(APP_ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from harness import load_entry_form  # noqa: E402
from pages import pages  # noqa: E402


def request(client: Client, page, extra: dict[str, str]):
    headers = {**page.headers(), **extra}
    if page.method == "GET":
        return client.get(page.path, headers=headers)
    return client.post(page.path, page.form("unused"), headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--username", default="heavy")
    parser.add_argument("--end", type=date.fromisoformat, default=date.today())
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--suggest-url")
    parser.add_argument("--write-url")
    args = parser.parse_args()
    overrides = {
        k: v for k, v in (("suggest_url", args.suggest_url), ("write_url", args.write_url)) if v
    }

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=args.username))
    results = {}
    write_form = load_entry_form(APP_ROOT)
    for page in pages(end=args.end, years=args.years, write_form=write_form, **overrides):
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = request(client, page, {})
        # Read now: the next request's request_started signal clears connection.queries.
        query_count = len(queries.captured_queries)
        # What goes over the wire to a browser that accepts gzip (the same as raw when the
        # server does not compress).
        packed = request(client, page, {"Accept-Encoding": "gzip"})
        results[page.name] = {
            "status": response.status_code,
            "queries": query_count,
            "bytes": len(response.content),
            "gzip_bytes": len(packed.content),
            "compressed_by_server": packed.get("Content-Encoding") == "gzip",
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
