"""Links to the same page with its query changed, as `{% querystring %}` writes them.

A list page asks for dozens of them (sort headers, column links, filter chips): the part of the
query that stays the same is encoded once.
"""

from urllib.parse import urlencode

from django.http import QueryDict


class Requery:
    """The request's query with `keys` given new values and `drop` removed (the page number,
    by default).

    The new values go last, in the order of `keys`; with in_place, where the first of them
    stood (as `{% querystring %}` keeps a key's place).
    """

    def __init__(self, params: QueryDict, *keys: str, drop=("page",), in_place: bool = False):
        gone = {*keys, *drop}
        items = [(key, values) for key, values in params.lists() if key not in drop]
        at = len(items)
        if in_place:
            at = next((i for i, (key, _values) in enumerate(items) if key in keys), at)
        self.keys = keys
        self.before = urlencode([(k, v) for k, vs in items[:at] if k not in gone for v in vs])
        self.after = urlencode([(k, v) for k, vs in items[at:] if k not in gone for v in vs])

    def link(self, *values) -> str:
        """'?…' with each key's value: a string, a list of them, or None for none."""
        middle = urlencode(
            [
                (key, item)
                for key, value in zip(self.keys, values, strict=True)
                if value is not None
                for item in (value if isinstance(value, list) else [value])
            ]
        )
        return "?" + "&".join(part for part in (self.before, middle, self.after) if part)


def requery(params: QueryDict, **changes) -> str:
    """One link: '?…' of the params with some keys replaced (a list) or removed (None), the
    page number dropped; the changed keys last, in the order given."""
    return Requery(params, *changes).link(*changes.values())
