"""bench_reports keeps working on a small seeded set (no timings asserted) and writes nothing."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

FIGURES = re.compile(r" +\d+\.\d +\d+\.\d +\d+\.\d× +\d+  < 500 ms (ok|MISSED)$")


def test_bench_reports_prints_every_report_for_both_users():
    call_command("seed_demo", "--trajects", "300", stdout=StringIO())
    logins = dict(get_user_model().objects.values_list("pk", "last_login"))
    out = StringIO()
    call_command("bench_reports", requests=1, warmup=0, stdout=out)
    text = out.getvalue()
    assert re.search(r"busiest accountmanager \w+ \(\d+ open trajects\)", text), text
    lines = [line for line in text.splitlines() if FIGURES.search(line)]
    assert len(lines) == 10, text
    assert sum("beheerder" in line for line in lines) == 5
    assert re.search(r"Load average now \d+\.\d", text)
    # Nothing written: no session, no last login.
    assert not Session.objects.exists()
    assert dict(get_user_model().objects.values_list("pk", "last_login")) == logins


def test_bench_reports_needs_seeded_data():
    with pytest.raises(CommandError, match="seed"):
        call_command("bench_reports", requests=1, stdout=StringIO())
