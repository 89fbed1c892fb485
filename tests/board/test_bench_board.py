"""bench_board keeps working on a small seeded set (its figures are not asserted: no timings)."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trajects.models import DossierEntry, Traject

pytestmark = pytest.mark.django_db

FIGURES = re.compile(r" +\d+\.\d +\d+\.\d +\d+\.\d× +\d+  < \d+ ms (ok|MISSED)$")


def test_bench_board_prints_page_more_cards_and_move_figures():
    call_command("seed_demo", "--trajects", "300", stdout=StringIO())
    stages = dict(Traject.objects.values_list("pk", "stage_id"))
    entries = DossierEntry.objects.count()
    out = StringIO()
    call_command("bench_board", requests=1, warmup=0, stdout=out)
    text = out.getvalue()
    assert re.search(r"business type \w.* \(most open trajects: \d+\)", text), text
    assert re.search(r"load average \d+\.\d \(5 min \d+\.\d\) on \d+ cores", text), text
    pages = [line for line in text.splitlines() if line.startswith("board page, ")]
    assert len(pages) == 4, text
    assert [bool(re.search(r"beheerder", line)) for line in pages] == [True, True, False, False]
    assert all(re.search(r"all dates|current month", line) for line in pages)
    assert all(FIGURES.search(line) for line in pages), pages
    more = [line for line in text.splitlines() if line.startswith("more cards, ")]
    assert len(more) == 2, text
    assert FIGURES.search(more[0]) or "no column with more than 50 cards" in more[0], more
    move = next(line for line in text.splitlines() if line.startswith("card move"))
    assert FIGURES.search(move) or "not measured" in move, move
    assert re.search(r"Load average now \d+\.\d", text)
    assert re.search(r"machine: .* \d+\.\d ms median, \d+\.\d ms best \(\d\.\d\d×\) before", text)
    # The moves were rolled back: the database is as the seed left it.
    assert dict(Traject.objects.values_list("pk", "stage_id")) == stages
    assert DossierEntry.objects.count() == entries


def test_bench_board_needs_seeded_data():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench_board", requests=1, stdout=StringIO())


def test_bench_board_rejects_silly_repetitions():
    with pytest.raises(CommandError, match="--requests"):
        call_command("bench_board", requests=0, stdout=StringIO())
