"""Every URL pattern as every role, with real ids and field names and bad values: no 500.

The engine is salesmodule/fuzzing.py (its docstring says what it sends and counts);
`manage.py fuzz_urls --requests 20000` runs it longer.
"""

import datetime

import pytest

from salesmodule import fuzzing


@pytest.mark.django_db
def test_no_500_on_any_pattern_as_any_role(time_machine, settings):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    report = fuzzing.fuzz_run(fuzzing.REQUESTS)
    print(report.summary())

    # The budget is spent exactly, each pattern its quota, every role on every pattern.
    assert sum(report.sent.values()) == fuzzing.REQUESTS
    assert dict(report.sent) == report.quotas
    assert max(report.quotas.values()) - min(report.quotas.values()) <= 1
    for pair, outcome in report.outcomes.items():
        assert outcome.sent >= (2 if pair in report.doors else 3), pair
    # Random noise that only meets 404s does not count: each pattern × role that may enter
    # reached its view with data, and each that may not was refused every time.
    assert report.unreached() == []
    assert report.door_leaks() == []

    assert report.failures == [], report.summary()


def test_the_command_runs_it_longer_and_the_readme_says_how():
    """Issue 12, point 10: `manage.py fuzz_urls` is the same engine with a bigger budget (20,000
    by default, ten times the suite's), and the README gives the command."""
    from pathlib import Path

    from django.core.management import load_command_class

    command = load_command_class("salesmodule", "fuzz_urls")
    parser = command.create_parser("manage.py", "fuzz_urls")
    assert parser.parse_args([]).requests == 20_000 > fuzzing.REQUESTS
    assert parser.parse_args(["--requests", "50000"]).requests == 50_000
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "manage.py fuzz_urls --requests 20000" in readme
