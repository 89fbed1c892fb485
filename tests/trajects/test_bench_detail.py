"""The detail benchmark keeps working and leaves the data as it found it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trajects.models import Traject

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db


def test_bench_prints_every_part_and_restores_what_it_binned(am, beheerder):
    first = TrajectFactory(accountmanagers=[am])
    TrajectFactory.create_batch(3, accountmanagers=[am], relation=first.relation)
    out = StringIO()
    call_command("bench_detail", runs=1, binned=2, stdout=out)
    text = out.getvalue()
    for label in ("detail, accountmanager", "detail, beheerder", "geschiedenis", "prullenbak"):
        assert label in text
    assert " ms " in text and "queries" in text
    assert not Traject.objects.filter(deleted_at__isnull=False).exists()


def test_bench_needs_seeded_data(db):
    with pytest.raises(CommandError):
        call_command("bench_detail", runs=1, stdout=StringIO())
