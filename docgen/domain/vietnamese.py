"""Domain: Vietnamese text, dates, numbers, percentages, words and slugs.

Every function here is pure. The context builder (``docgen.context``) is the only caller
that puts their results on a document; checks use them for messages.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

__all__ = [
    "nfc",
    "upper",
    "long_date",
    "place_date_line",
    "doc_number",
    "group_thousands",
    "percent",
    "number_in_words",
    "roman",
    "slug",
    "two_digit",
    "sort_key",
]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form."""
    return unicodedata.normalize("NFC", text)


def upper(text: str) -> str:
    """Vietnamese-aware upper case.

    Composes first so that a decomposed ``ư`` + hook + dot becomes ``Ự`` and not a base
    letter followed by loose marks; Python's case mapping is correct for every composed
    Vietnamese letter (``đ`` -> ``Đ``, ``ỷ`` -> ``Ỷ``).
    """
    return nfc(nfc(text).upper())


def two_digit(n: int) -> str:
    """``7`` -> ``"07"``; numbers of two digits or more unchanged."""
    return f"{n:02d}"


def long_date(d: date) -> str:
    """``ngày 07 tháng 11 năm 2018``.

    Party presentation rule: a leading zero for a day under 10 and for months 1 and 2
    only (``tháng 02``, but ``tháng 4``).
    """
    month = two_digit(d.month) if d.month <= 2 else str(d.month)
    return f"ngày {two_digit(d.day)} tháng {month} năm {d.year}"


def short_date(d: date) -> str:
    """``07/11/2018``: a date in a table cell or a listing, day and month always padded."""
    return f"{two_digit(d.day)}/{two_digit(d.month)}/{d.year}"


def sentence(text: str) -> str:
    """``text`` with its first letter in upper case (``bí thư, phó bí thư`` -> ``Bí thư, phó bí thư``)."""
    return upper(text[:1]) + text[1:]


def dashed_date(d: date) -> str:
    """``10-7-2025``, ``09-01-2026``: a date as party papers cite another paper's, padded as
    :func:`long_date` pads (a day under 10, months 1 and 2)."""
    month = two_digit(d.month) if d.month <= 2 else str(d.month)
    return f"{two_digit(d.day)}-{month}-{d.year}"


def place_date_line(place: str, d: date) -> str:
    """``Hà Nội, ngày 05 tháng 02 năm 2026``."""
    return f"{nfc(place).strip()}, {long_date(d)}"


def doc_number(number: int | None, doc_type: str, issuer: str) -> str:
    """Party-style number: ``Số 06-QĐ/ĐU`` (no colon; numbers below 10 padded).

    ``number=None`` leaves the blank that a draft carries before signing.
    """
    if number is None:
        return f"Số      -{doc_type}/{issuer}"
    return f"Số {two_digit(number)}-{doc_type}/{issuer}"


def group_thousands(n: int) -> str:
    """``1083`` -> ``"1.083"`` (thousands dot)."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def _round_half_up(value: Fraction, places: int) -> Fraction:
    from fractions import Fraction  # here, not at start: `docgen --help` formats no share

    scale = 10**places
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if (scaled - whole) * 2 >= 1:
        whole += 1
    return Fraction(whole, scale)


def percent(part: int, whole: int, places: int = 2) -> str:
    """``percent(10, 14)`` -> ``"71,43%"``; ``percent(15, 24)`` -> ``"62,5%"``.

    Exact rational arithmetic, half-up rounding to at most ``places`` decimals, decimal
    comma, thousands dot, no trailing zeros (``100%``, not ``100,00%``).
    """
    if whole <= 0:
        raise ValueError("percentage of an empty total")
    from fractions import Fraction

    value = _round_half_up(Fraction(part * 100, whole), places)
    integer = value.numerator // value.denominator
    frac = value - integer
    digits = ""
    if frac:
        digits = str(int(frac * 10**places)).rjust(places, "0").rstrip("0")
    text = group_thousands(integer)
    return f"{text},{digits}%" if digits else f"{text}%"


_UNITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _three_digits(n: int, full: bool) -> str:
    """Words for 0..999; ``full`` forces "không trăm"/"linh" inside a larger number."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_UNITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("linh")
            words.append(_UNITS[units])
        return " ".join(words)
    if tens == 1:
        words.append("mười")
    else:
        words += [_UNITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_UNITS[units])
    return " ".join(words)


def number_in_words(n: int) -> str:
    """Vietnamese words for an integer: ``21`` -> ``"hai mươi mốt"``, ``105`` -> ``"một trăm linh năm"``,
    ``2018`` -> ``"hai nghìn không trăm mười tám"``."""
    if n < 0:
        return "âm " + number_in_words(-n)
    if n < 1000:
        return _three_digits(n, False) if n else "không"
    if n >= 10**12:  # the scales stop at "tỷ"; inputs are bounded far below (fields.toml)
        raise ValueError("number_in_words: only numbers below 10**12 can be written in words")
    groups: list[int] = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    scales = ["", "nghìn", "triệu", "tỷ"]
    words: list[str] = []
    top = len(groups) - 1
    for i in range(top, -1, -1):
        if groups[i] == 0:
            continue
        words.append(f"{_three_digits(groups[i], full=i != top)} {scales[i]}".strip())
    return " ".join(words)


def roman(n: int) -> str:
    """``2`` -> ``"II"``; the congress ordinal as party documents print it."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n < 4000:
        raise ValueError("roman: only whole numbers from 1 to 3999 have a Roman numeral")
    table = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]
    out = []
    for value, letters in table:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slug(text: str, max_len: int = 60) -> str:
    """ASCII file-name slug: ``"Nguyễn Đức Đạt"`` -> ``"nguyen-duc-dat"``.

    Đ/đ map to D/d before the marks are stripped (NFKD drops them otherwise). The result
    contains only ``[a-z0-9-]``, so it can never name another folder.
    """
    text = nfc(text).replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = _SLUG_STRIP.sub("-", text).strip("-")
    return text[:max_len].rstrip("-") or "x"


_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_MODIFIERS = "\u0306\u0302\u031b"            # breve, circumflex, horn: part of the letter
_TONES = "\u0300\u0309\u0303\u0301\u0323"   # huyền, hỏi, ngã, sắc, nặng (after the level tone)


def _word_key(word: str) -> tuple:
    letters, tones = [], []
    for ch in word:
        d = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", d[0] + "".join(m for m in d[1:] if m in _MODIFIERS))
        tone = next((_TONES.index(m) + 1 for m in d[1:] if m in _TONES), 0)
        letters.append(_RANK.get(letter, 100 + ord(letter[0])))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def sort_key(full_name: str) -> tuple:
    """Vietnamese alphabetical order of a person's name ("xếp theo vần A, B, C"): by the given
    name (last word) first, then the rest from the family name; ă after a, đ after d, and
    tones only break ties (level, huyền, hỏi, ngã, sắc, nặng)."""
    words = nfc(full_name).lower().split()
    if not words:
        return ()
    ordered = [words[-1]] + words[:-1]
    keys = [_word_key(w) for w in ordered]
    return tuple(k[0] for k in keys) + tuple(k[1] for k in keys)
