"""Domain: calendar arithmetic — months, ages by month, and working days.

Working days skip weekends, Vietnamese public holidays (the ``holidays`` package, lunar new
year included) and the extra days off listed in ``forms/_shared/calendar.toml``.
"""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, timedelta
from functools import lru_cache
from typing import Callable, Collection


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    if not MINYEAR <= year <= MAXYEAR:
        raise ValueError(f"add_months: the result falls outside the years {MINYEAR}-{MAXYEAR}")
    # the month's last day (the calendar module would bring locale with it, for this alone)
    last = 31 if month == 12 else (date(year, month + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def probation_end(ceremony: date, months: int) -> date:
    """The day a probationary member becomes official (Charter Art. 5; 294-QĐ/TW §4.2.2):
    ``months`` calendar months after the admission ceremony, on the same day of the month,
    clamped to the month's last day (29 Feb 2024 + 12 → 28 Feb 2025). The member is official
    from that day whenever the cell or the committee acts on it."""
    return add_months(ceremony, months)


def age_in_months(born: date, on: date) -> int:
    """Age counted by month, as party rules count it: calendar months between the two
    months, the day of the month ignored (born 15-12-2000 is 18 from December 2018)."""
    return (on.year - born.year) * 12 + (on.month - born.month)


class WorkCalendar:
    """Which days are working days."""

    def __init__(self, weekend=(5, 6), extra_days_off=(), extra_working_days=(),
                 public_holidays: Callable[[int], Collection[date]] | None = None):
        # public_holidays: a year's public holidays; by default the holidays package's, which
        # the forms library may give from its cache instead (FormLibrary.work_calendar)
        self.public_holidays = public_holidays or vn_holidays
        self.weekend = frozenset(weekend)
        self.extra_off = frozenset(date.fromisoformat(d) if isinstance(d, str) else d for d in extra_days_off)
        self.extra_work = frozenset(date.fromisoformat(d) if isinstance(d, str) else d for d in extra_working_days)

    @classmethod
    def from_config(cls, raw: dict, public_holidays: Callable[[int], Collection[date]] | None = None) -> "WorkCalendar":
        return cls(raw.get("weekend", (5, 6)), raw.get("extra_days_off", ()), raw.get("extra_working_days", ()),
                   public_holidays)

    def is_working_day(self, d: date) -> bool:
        if d in self.extra_work:
            return True
        if d in self.extra_off or d.weekday() in self.weekend:
            return False
        return d not in self.public_holidays(d.year)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end ≤ start).

        Counted arithmetically: the days of the week in the range, less the days off that
        fall on a working weekday, plus the extra working days (no day-by-day walk)."""
        if end <= start:
            return 0
        days = (end - start).days
        full, rest = divmod(days, 7)
        n = full * (7 - len(self.weekend))
        first = start.weekday() + 1
        n += sum(1 for k in range(rest) if (first + k) % 7 not in self.weekend)
        off = set(self.extra_off)
        for year in range(start.year, end.year + 1):
            off.update(self.public_holidays(year))
        n -= sum(1 for d in off if start < d <= end and d.weekday() not in self.weekend and d not in self.extra_work)
        n += sum(1 for d in self.extra_work if start < d <= end and d.weekday() in self.weekend)
        return n

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``."""
        d = start
        try:
            while n > 0:
                d += timedelta(days=1)
                if self.is_working_day(d):
                    n -= 1
        except OverflowError:
            raise ValueError(f"add_working_days: the result falls after the year {MAXYEAR}") from None
        return d


@lru_cache(maxsize=64)
def vn_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of ``year`` (the ``holidays`` package, lunar new year included)."""
    # imported when a rule first counts working days: `docgen --help`, `forms` and a check that
    # counts none do without it (it takes longer to import than they take to run)
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year).keys())
