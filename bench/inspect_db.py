"""Print, as JSON, the diary entries of users whose username starts with argv[1].

Run by the load and crash scripts with the server's environment, after each phase:
{"vendor", "total", "entries": {submission_id: count}, "integrity": "ok" | [problems]}.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from portal.models import DiaryEntry  # noqa: E402


def main(prefix: str) -> dict:
    entries = DiaryEntry.objects.filter(patient__username__startswith=prefix)
    counts = entries.values("patient__username", "submission_id").annotate(n=Count("id"))
    integrity: str | list[str] = "not applicable"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            rows = [row[0] for row in cursor.fetchall()]
        integrity = "ok" if rows == ["ok"] else rows
    return {
        "vendor": connection.vendor,
        "total": entries.count(),
        "entries": {str(row["submission_id"]): row["n"] for row in counts},
        "integrity": integrity,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "")))
