"""The PDF benchmark command and the demo quotes of seed_demo."""

import re

import pytest
from django.core.management import CommandError, call_command

from quotes.models import Quote, QuoteStatus
from trajects.models import DossierEntry, DossierKind, Traject

pytestmark = pytest.mark.django_db


def test_benchmark_prints_the_median_and_leaves_nothing_behind(capsys):
    call_command("quote_pdf_benchmark", "--runs", "3")
    out = capsys.readouterr().out
    assert re.search(r"render, 3 runs: median \d+ ms", out)
    assert "1 page(s)" in out
    assert not Quote.objects.exists() and not Traject.objects.exists()


def test_benchmark_rejects_a_silly_run_count():
    with pytest.raises(CommandError):
        call_command("quote_pdf_benchmark", "--runs", "0")


def test_seed_demo_makes_quotes_in_every_status_with_their_pdfs(capsys):
    call_command("seed_demo", "--trajects", "1000")
    quotes = Quote.objects.all()
    assert quotes.count() >= 20
    statuses = set(quotes.values_list("status", flat=True))
    assert statuses == set(QuoteStatus.values)
    for quote in quotes.exclude(status=QuoteStatus.CONCEPT):
        assert quote.number and quote.pdf.read(5) == b"%PDF-"
    assert quotes.filter(version=2).exists()
    # Every quote sits on a traject of the accountmanager who made it, and is in the dossier.
    for quote in quotes:
        assert quote.traject.accountmanager_links.filter(user=quote.created_by).exists()
    assert DossierEntry.objects.filter(kind=DossierKind.QUOTE).count() >= quotes.count()
    assert "Quotes:" in capsys.readouterr().out
