"""`python -m tests.worker …` is `celery …` on the clock of the test run that started it.

A test under TEST_CLOCK runs with the clock moved; a worker it starts must see the same time,
or what the worker stamps (a finished export's expiry, say) is years away from the test's now.
The test passes its current moment in TEST_CLOCK_AT.
"""

import datetime
import os
import sys


def main():
    moment = os.environ.get("TEST_CLOCK_AT")
    if moment:
        import time_machine

        time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True).start()
    from celery.__main__ import main as celery

    sys.exit(celery())


def command(*args: str) -> list[str]:
    """The command line of `celery *args` under this run's clock."""
    return [sys.executable, "-m", "tests.worker", *args]


def environment(**extra: str) -> dict[str, str]:
    """The environment for it: the test's own plus its current moment when the clock is moved."""
    env = {**os.environ, **extra}
    if os.environ.get("TEST_CLOCK"):
        env["TEST_CLOCK_AT"] = datetime.datetime.now(datetime.UTC).isoformat()
    return env


if __name__ == "__main__":
    main()
