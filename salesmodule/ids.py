"""Ids from URLs and forms: never a 500 for '²', '٣' or a number no database column holds."""

from django.db.models import IntegerField
from django.db.models.lookups import In

ID_MAX = 2**63 - 1  # the largest BigAutoField on PostgreSQL and SQLite


def parse_id(value) -> int | None:
    """A positive id written in ASCII digits that a bigint holds, else None.

    `str.isdigit()` is true for '²' and int() reads '١٢' as 12; neither is an id anyone typed.
    """
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


class IntegerFieldIn(In):
    """`in` on an integer column leaves out numbers the column cannot hold: they match no row,
    and SQLite refuses a parameter past 2^63 (OverflowError) where PostgreSQL answers nothing.
    Django does the same for `exact` (IntegerFieldExact); a multiple-choice field asks `in`."""

    lookup_name = "in"

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


class IdConverter:
    """`<id:pk>` in a URL: an id a bigint holds; a longer number does not match (404), where
    `<int:pk>` passes it on and SQLite raises OverflowError on the lookup."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    """Use IntegerFieldIn for every integer column (ids included), and `<id:...>` in URLs."""
    from django.urls import register_converter

    IntegerField.register_lookup(IntegerFieldIn)
    register_converter(IdConverter, "id")
