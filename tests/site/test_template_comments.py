"""Django's {# #} comment ends at the end of its line: one that spans lines is shown on the
page as text. Longer comments use {% comment %}."""

import re
from pathlib import Path

from django.conf import settings


def test_no_template_comment_spans_lines():
    spanning = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            for found in re.finditer(r"\{#(?:(?!#\}).)*$", path.read_text(), flags=re.M):
                spanning.append(f"{path}: {found.group(0)[:60]}")
    assert spanning == []
