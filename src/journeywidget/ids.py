"""Human-friendly, stable ids: slugs of names, de-duplicated."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
ID_PATTERN = r"^[^\W_][\w.-]*$"
_ID_RE = re.compile(ID_PATTERN, re.UNICODE)
MAX_ID_LENGTH = 100


def slugify(text: str, fallback: str = "item", max_length: int = 48) -> str:
    """Slug of ``text``: lower case, accents stripped, other characters as ``-``.

    Letters of any script are kept, so Cyrillic names give Cyrillic ids.

    >>> slugify("Checkout page")
    'checkout-page'
    >>> slugify("Rozhodnutí o nákupu")
    'rozhodnuti-o-nakupu'
    >>> slugify("  !!  ", fallback="stage")
    'stage'
    """
    norm = unicodedata.normalize("NFKD", str(text))
    norm = "".join(ch for ch in norm if not unicodedata.combining(ch))
    slug = _NON_WORD.sub("-", norm.lower()).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug or fallback


def unique_id(base: str, taken: Container[str]) -> str:
    """``base`` if free, else ``base-2``, ``base-3``...

    >>> unique_id("checkout", {"checkout", "checkout-2"})
    'checkout-3'
    """
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def is_valid_id(value: object) -> bool:
    """True if ``value`` is a well-formed id."""
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH and bool(_ID_RE.match(value))
