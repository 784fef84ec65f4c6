"""Vietnamese formatting: dates, numbers, percentages, words, case, slugs."""

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, strategies as st

from docgen.domain import vietnamese as vi
from docgen.load.model import _SPACES, clean_text


@pytest.mark.parametrize(
    "d, text",
    [
        (date(2018, 11, 7), "ngày 07 tháng 11 năm 2018"),
        (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 9), "ngày 09 tháng 01 năm 2026"),
        (date(2018, 4, 3), "ngày 03 tháng 4 năm 2018"),
        (date(2018, 12, 25), "ngày 25 tháng 12 năm 2018"),
    ],
)
def test_long_date_pads_day_and_first_two_months(d, text):
    assert vi.long_date(d) == text


def test_place_date_line():
    assert vi.place_date_line("Hà Nội", date(2026, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2026"


@pytest.mark.parametrize(
    "n, abbr, issuer, text",
    [(7, "QĐ", "ĐUC", "Số 07-QĐ/ĐUC"), (6, "QĐ", "ĐU", "Số 06-QĐ/ĐU"), (127, "QĐ", "TW", "Số 127-QĐ/TW"),
     (None, "NQ", "CB", "Số      -NQ/CB")],
)
def test_doc_number_has_no_colon(n, abbr, issuer, text):
    assert vi.doc_number(n, abbr, issuer) == text
    assert ":" not in vi.doc_number(n, abbr, issuer)


@pytest.mark.parametrize(
    "part, whole, text",
    [(10, 14, "71,43%"), (15, 24, "62,5%"), (14, 24, "58,33%"), (14, 14, "100%"), (1, 3, "33,33%"),
     (2, 3, "66,67%"), (0, 5, "0%"), (1, 8, "12,5%"), (1, 200, "0,5%"), (2166, 2, "108.300%")],
)
def test_percent_decimal_comma_no_trailing_zeros(part, whole, text):
    assert vi.percent(part, whole) == text


def test_percent_rejects_empty_total():
    with pytest.raises(ValueError):
        vi.percent(1, 0)


@pytest.mark.parametrize("n, text", [(1083, "1.083"), (999, "999"), (1234567, "1.234.567"), (-1083, "-1.083")])
def test_group_thousands(n, text):
    assert vi.group_thousands(n) == text


@pytest.mark.parametrize(
    "n, words",
    [(0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (14, "mười bốn"), (15, "mười lăm"),
     (21, "hai mươi mốt"), (25, "hai mươi lăm"), (105, "một trăm linh năm"), (110, "một trăm mười"),
     (2018, "hai nghìn không trăm mười tám"), (1005, "một nghìn không trăm linh năm"), (-5, "âm năm"),
     (62, "sáu mươi hai")],
)
def test_number_in_words(n, words):
    assert vi.number_in_words(n) == words


@pytest.mark.parametrize("n, r", [(1, "I"), (2, "II"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL")])
def test_roman(n, r):
    assert vi.roman(n) == r


@pytest.mark.parametrize(
    "name, s",
    [("Nguyễn Đức Đạt", "nguyen-duc-dat"), ("Lý Thị Ỷ Lan", "ly-thi-y-lan"), ("../../etc/passwd", "etc-passwd"),
     ("Đặng Ựa", "dang-ua"), ("", "x"), ("///", "x")],
)
def test_slug(name, s):
    assert vi.slug(name) == s


def test_upper_handles_decomposed_and_rare_letters():
    nfd = unicodedata.normalize("NFD", "nguyễn thị ỷ lan ựa đức")
    assert vi.upper(nfd) == "NGUYỄN THỊ Ỷ LAN ỰA ĐỨC"
    assert unicodedata.is_normalized("NFC", vi.upper(nfd))


@given(st.text())
def test_slug_is_always_a_safe_ascii_name(text):
    s = vi.slug(text)
    assert s and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in s)
    assert not s.startswith("-") and ".." not in s


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percent_round_trips_within_half_a_hundredth(part, whole):
    text = vi.percent(part, whole)
    value = float(text.rstrip("%").replace(".", "").replace(",", "."))
    assert abs(value - part * 100 / whole) <= 0.005 + 1e-9
    assert not text.endswith(",0%")


@given(st.integers(min_value=0, max_value=999_999_999))
def test_number_in_words_is_vietnamese_words(n):
    words = vi.number_in_words(n)
    assert words and "  " not in words and not any(ch.isdigit() for ch in words)


@given(st.dates())
def test_long_date_format(d):
    text = vi.long_date(d)
    day, month = text.split()[1], text.split()[3]
    assert len(day) == 2
    assert len(month) == (2 if d.month <= 2 or d.month >= 10 else 1)


def _clean_by_lines(text: str) -> str:
    """clean_text without its shortcut: NFC, spaces folded per line, lines and ends trimmed."""
    text = unicodedata.normalize("NFC", text)
    lines = [re.sub(_SPACES, " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


@given(st.text(alphabet=st.sampled_from(list("aễĐ\u0301 \n\u00a0\u1680\u2003\u2028\u202f\u3000\u205f\x1c\r\t"))))
def test_clean_text_shortcut_changes_nothing(text):
    assert clean_text(text) == _clean_by_lines(text)


def test_short_date_pads_day_and_month():
    assert vi.short_date(date(2025, 7, 1)) == "01/07/2025"
    assert vi.short_date(date(2026, 11, 24)) == "24/11/2026"


def test_sentence_capitalises_the_first_letter_only():
    assert vi.sentence("đảng viên dự bị, bí thư") == "Đảng viên dự bị, bí thư"
    assert vi.sentence("ủy viên") == "Ủy viên"
    assert vi.sentence("") == ""
