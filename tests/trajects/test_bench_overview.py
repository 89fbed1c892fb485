"""The overview benchmark keeps working on a small seeded set (its figures are not asserted)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_bench_prints_every_view_the_csv_and_the_expected_figure():
    call_command("seed_demo", "--trajects", "300", stdout=StringIO())
    out = StringIO()
    call_command("bench_overview", requests=1, warmup=0, stdout=out)
    text = out.getvalue()
    lines = [line for line in text.splitlines() if re.match(r"\([a-l]\) ", line)]
    assert [line[:3] for line in lines[:12]] == [f"({key})" for key in "abcdefghijkl"]
    # page ms, SQL ms, queries, rows, target, verdict, and the statistisch verwacht time
    assert all(re.search(r"\d+\.\d +\d+\.\d +\d+ +[\d,]+ +< \d+ ms .+ \d+\.\d$", line)
               for line in lines[:11]), lines  # fmt: skip
    assert re.search(r"^\(l\) .* \d+\.\d +\d+\.\d +\d+ +[\d,]+ +< 250 ms ", lines[11])
    assert re.search(r"machine: .* \d+\.\d ms median, \d+\.\d ms best \(\d\.\d\d×\) before", text)


def test_bench_needs_seeded_data(db):
    with pytest.raises(CommandError):
        call_command("bench_overview", requests=1, stdout=StringIO())
