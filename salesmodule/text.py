"""Text helpers shared by every app."""

import unicodedata


def normalise(text: str) -> str:
    """Lower case without accents, single-spaced: 'Café  Noël' -> 'cafe noel'.

    Stored beside a name so search is accent- and case-insensitive on SQLite and PostgreSQL alike.
    NUL bytes are dropped: PostgreSQL refuses them in any text, so a search with one would fail.
    """
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("\x00", ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
