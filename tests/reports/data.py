"""Generated trajects for the report tests, written through the factories."""

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from settings_app.models import BusinessType, Stage, TrajectType, WinLossReason

from ..factories import TrajectFactory
from .oracle import AMSTERDAM

STAGES = ("Introductie", "Voorstel", "Onderhandeling", None)

# One traject: outcome, value in cents (None: unknown), kans, link choice (indexes into the
# people), day offset from a base day, minute offset around local midnight, stage, reason,
# business type, alive, converted.
traject_rows = st.lists(
    st.tuples(
        st.sampled_from(["open", "open", "won", "lost"]),
        st.one_of(st.none(), st.integers(0, 10**8), st.sampled_from([1, 2, 100, 101, 10001])),
        st.integers(0, 100),
        st.lists(st.integers(0, 2), unique=True, min_size=1, max_size=3),
        st.integers(-420, 420),
        st.sampled_from([-1, 0, 1, 600]),
        st.sampled_from(STAGES),
        st.booleans(),
        st.sampled_from(["EB", "NB"]),
        st.sampled_from([True, True, True, False]),  # alive (not deleted)
        st.sampled_from([True, True, True, False]),
    ),
    max_size=10,
)


def local_moment(day: datetime.date, minutes: int) -> datetime.datetime:
    """Local midnight of `day` plus `minutes`, as an aware moment."""
    midnight = datetime.datetime.combine(day, datetime.time.min, AMSTERDAM)
    return midnight + datetime.timedelta(minutes=minutes)


def build(rows, people, base: datetime.date) -> None:
    """Trajects for the generated rows; closed ones close at a local midnight ± a minute."""
    types = {t.outcome: t for t in TrajectType.objects.order_by("-is_default", "pk")}
    business = {b.code: b for b in BusinessType.objects.all()}
    stages = {s.name: s for s in Stage.objects.all()}
    reasons = {}
    for reason in WinLossReason.objects.order_by("pk"):
        reasons.setdefault(reason.outcome, reason)
    for (
        outcome,
        cents,
        probability,
        who,
        days,
        minutes,
        stage,
        with_reason,
        code,
        alive,
        converted,
    ) in rows:
        day = base + datetime.timedelta(days=days)
        closed = outcome != "open"
        TrajectFactory(
            accountmanagers=[people[i] for i in who],
            type=types[outcome],
            business_type=business[code],
            value=None if cents is None else Decimal(cents) / 100,
            probability={"won": 100, "lost": 0}.get(outcome, probability),
            expected_close=day,
            closed_at=local_moment(day, minutes) if closed else None,
            closed_from_stage=stages[stage] if closed and stage else None,
            stage=stages[stage] if not closed and stage else None,
            win_loss_reason=reasons[outcome] if closed and with_reason else None,
            deleted_at=None if alive else datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC),
            converted_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if converted else None,
        )
