"""Reading amounts the user's way (Decimal end to end): the detail form's field is the one
amount field (salesmodule.amounts; its hand cases are in tests/salesmodule/test_amounts.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from trajects.forms import InformatieForm


@pytest.mark.parametrize("typed", ["abc", "1,2,3,4x", "--1", "1.2.3,4,5"])
def test_garbage_is_refused(typed):
    field = InformatieForm.base_fields["value"]
    with translation.override("nl"), pytest.raises(ValidationError):
        field.clean(typed)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_amounts_are_decimal_in_either_notation(language):
    field = InformatieForm.base_fields["value"]
    with translation.override(language):
        assert field.clean("1.234,56") == Decimal("1234.56")
        assert field.clean("1,234.56") == Decimal("1234.56")
        assert field.clean("1.250.000") == Decimal("1250000")
        assert field.clean("") is None
    with translation.override("nl"):
        assert field.clean("10.000") == Decimal("10000")
