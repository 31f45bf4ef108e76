"""Human-friendly, stable ids (slugs of names, de-duplicated) and names made from event keys.

One definition, shared with the front end (``js/src``) and the standalone page, and
tested on both sides with the same cases (``tests/data/slug_cases.json``):

1. Unicode NFKD, then drop the combining diacritics U+0300–U+036F (the accents of
   Latin, Greek and Cyrillic letters: "nákup" → "nakup"), then NFC again, so other
   scripts keep their vowel signs and viramas ("हिन्दी" stays "हिन्दी").
2. Lower case.
3. Every run of characters that are not letters, marks or numbers (Unicode
   categories L*, M*, N*) becomes one ``-``; leading marks and dashes go.
4. At most ``max_length`` code points, no trailing ``-``; ``fallback`` if empty.

An id is valid when it matches :data:`ID_PATTERN`: no whitespace, no control or
format characters, and of ASCII punctuation only ``-``, ``.`` and ``_`` after the
first character. The pattern uses only ``\\uXXXX`` escapes, so it means the same in
Python's ``re``, pydantic's Rust regex, JavaScript and JSON Schema validators.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable

# Characters never in an id: ASCII controls, space and punctuation (but "-", "." and "_"
# after the first character), Latin-1 punctuation and symbols, and Unicode spaces,
# zero-width and bidirectional controls.
_NEVER = (
    r"\u0000-\u002C\u002F\u003A-\u0040\u005B-\u005E\u0060\u007B-\u00BF"
    r"\u1680\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF"
)
ID_PATTERN = rf"^[^{_NEVER}\u002D\u002E\u005F][^{_NEVER}]*$"
_ID_RE = re.compile(ID_PATTERN)
MAX_ID_LENGTH = 100
_ACCENTS = re.compile("[\u0300-\u036f]+")


def _kept(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def slugify(text: str, fallback: str = "item", max_length: int = 48) -> str:
    """Slug of ``text``: lower case, Latin accents stripped, other characters as ``-``.

    Letters of any script are kept, so Cyrillic names give Cyrillic ids.

    >>> slugify("Checkout page")
    'checkout-page'
    >>> slugify("Rozhodnutí o nákupu")
    'rozhodnuti-o-nakupu'
    >>> slugify("ደረጃ ፩")
    'ደረጃ-፩'
    >>> slugify("  !!  ", fallback="stage")
    'stage'
    """
    norm = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", str(text))))
    out: list[str] = []
    dash = False
    for ch in norm.lower():
        if _kept(ch):
            if not out and unicodedata.category(ch)[0] == "M":
                continue  # an id never starts with a combining mark
            if dash and out:
                out.append("-")
            out.append(ch)
            dash = False
        else:
            dash = True
    slug = "".join(out[:max_length]).rstrip("-")
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
    """True if ``value`` is a well-formed id.

    >>> is_valid_id("checkout-page"), is_valid_id("ደረጃ-፩"), is_valid_id("has space")
    (True, True, False)
    >>> is_valid_id("trailing-newline" + chr(10))
    False
    """
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH and bool(_ID_RE.fullmatch(value))


_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_KEY_SEPARATORS = re.compile(r"[\s_\-.:/|+]+")


def readable_name(key: object, max_length: int = 300) -> str:
    """A touchpoint name made from an event key (the page's "Add to map" does the same).

    Shared with the front end and tested on both sides with the same cases
    (``tests/data/readable_name_cases.json``): split camelCase and ``_ - . : / | +``
    into words, lower-case them unless they are acronyms, capitalise the first letter.

    >>> readable_name("begin_checkout")
    'Begin checkout'
    >>> readable_name("pageViewHTMLDocs")
    'Page view HTML docs'
    >>> readable_name("  app.open  ")
    'App open'
    """
    raw = str(key).strip()
    text = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", raw))
    words = [w for w in _KEY_SEPARATORS.split(text) if w]
    words = [w if (len(w) > 1 and w.isupper()) else w.lower() for w in words]
    name = " ".join(words) or raw or "Event"
    name = name[:1].upper() + name[1:]
    return name[:max_length].rstrip() or "Event"



class IdAllocator:
    """:func:`unique_id` for many names in a row, in linear time.

    Importers give thousands of items ids; probing ``base-2``, ``base-3``... from 2 each
    time is quadratic when many share a name. This remembers the next suffix to try per
    base; since ids are only ever added, it returns exactly what :func:`unique_id` would.

    >>> ids = IdAllocator({"journey"})
    >>> [ids.claim("step") for _ in range(3)], ids.claim("journey")
    (['step', 'step-2', 'step-3'], 'journey-2')
    >>> ids.add("step-4"); ids.claim("step")
    'step-5'
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)
        self._next: dict[str, int] = {}

    def __contains__(self, item: object) -> bool:
        return item in self.taken

    def add(self, item: str) -> None:
        """Mark ``item`` as used."""
        self.taken.add(item)

    def claim(self, base: str) -> str:
        """``base`` if free, else the first free ``base-N`` (N >= 2); marked as used."""
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self.taken:
            n += 1
        self._next[base] = n + 1
        out = f"{base}-{n}"
        self.taken.add(out)
        return out
