"""Fixtures of the workflow tests: a frozen clock, Sales Select on, rules made in code."""

import datetime

import pytest

from settings_app.models import Stage, WinLossReason
from workflows.models import Action, Rule

# Every workflow test runs on this day, whatever TEST_CLOCK says.
TODAY = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
    return TODAY


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.WORKFLOW_RETRY_DELAY = 0


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def reason(text: str) -> WinLossReason:
    return WinLossReason.objects.get(reason=text)


def rule_make(name="Voorstel opvolgen", *, actions, business_types=(), **fields) -> Rule:
    """A rule with its actions: rule_make(stage=…, actions=[{"kind": "task", …}, …])."""
    fields.setdefault("trigger", "stage" if "stage" in fields else "status")
    rule = Rule.objects.create(name=name, **fields)
    rule.business_types.set(business_types)
    for position, action in enumerate(actions):
        Action.objects.create(rule=rule, position=position, **action)
    return rule
