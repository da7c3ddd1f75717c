"""Structured dates: month or day precision, and the due-date forms plans use (TBC, ongoing, ranges, review points).

Display follows the council's style: "Dec 17", "2 Oct 17", "Jan–Apr 18", "Ongoing from Oct 17",
"Ongoing / test impact in May 18".
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

# Plans are about the present: a year outside this range is a typo (0017, 20177), and dates near
# the ends of the calendar would overflow when a paper adds a month to them.
FIRST_YEAR, LAST_YEAR = 1900, 2999
DATE_FORM = re.compile(r"[0-9]{1,5}-[0-9]{1,2}(-[0-9]{1,2})?\Z")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class DateError(ValueError):
    pass


@lru_cache(maxsize=None)
def _days_in(year: int, month: int) -> int:
    """calendar.monthrange's day count, remembered: deadlines are asked for tens of thousands of times."""
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True, order=True)
class PlanDate:
    """A date at month precision (day is None) or day precision."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> "PlanDate":
        if isinstance(text, datetime.date):
            text = text.isoformat()[:10]
        if not isinstance(text, str) or not DATE_FORM.match(text):
            raise DateError(f"{_shown(text)} is not a date; write YYYY-MM or YYYY-MM-DD")
        parts = text.split("-")
        year, month = int(parts[0]), int(parts[1])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise DateError(f"'{text}' has year {year}; plan dates run from {FIRST_YEAR} to {LAST_YEAR}")
        if not 1 <= month <= 12:
            raise DateError(f"'{text}' has month {month}; months run from 01 to 12")
        if len(parts) == 2:
            return cls(year, month)
        day = int(parts[2])
        last = _days_in(year, month)
        if not 1 <= day <= last:
            raise DateError(f"'{text}': {MONTHS[month - 1]} {year} has {last} days")
        return cls(year, month, day)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.day or 1)

    @property
    def last_day(self) -> datetime.date:
        """The deadline this date sets: a month-precision date is met by the month's end."""
        return datetime.date(self.year, self.month, self.day or _days_in(self.year, self.month))

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")

    def short(self) -> str:
        """'Dec 17' or '2 Oct 17'."""
        text = f"{MONTHS[self.month - 1]} {self.year % 100:02d}"
        return f"{self.day} {text}" if self.day else text

    def display(self, style: str = "short") -> str:
        """In a plan's date style: short 'Dec 17', month-year 'Dec 2017', long 'December 2017'."""
        if style == "long":
            return self.long()
        if style == "month-year":
            text = f"{MONTHS[self.month - 1]} {self.year}"
            return f"{self.day} {text}" if self.day else text
        return self.short()

    def month_name(self, style: str = "short") -> str:
        """The month alone, as the style writes it (the first month of a range within one year)."""
        return calendar.month_name[self.month] if style == "long" else MONTHS[self.month - 1]

    def long(self) -> str:
        """'December 2017' or '7 November 2017'."""
        text = f"{calendar.month_name[self.month]} {self.year}"
        return f"{self.day} {text}" if self.day else text

    def months_until(self, later: "PlanDate") -> int:
        return (later.year - self.year) * 12 + later.month - self.month


def _shown(value, limit: int = 40) -> str:
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date_value(value) -> PlanDate:
    return PlanDate.parse(str(value))


@dataclass(frozen=True)
class Due:
    """When something is due. Exactly one shape is used; the rest stay None/False."""

    date: PlanDate | None = None
    start: PlanDate | None = None  # range start, or "from" date
    end: PlanDate | None = None
    review: PlanDate | None = None
    ongoing: bool = False
    tbc: bool = False
    from_: PlanDate | None = None
    note: str | None = None
    as_printed: str | None = None

    @classmethod
    def parse(cls, value) -> "Due":
        if value is None:
            return cls()
        if isinstance(value, str):
            if value == "TBC":
                return cls(tbc=True)
            if value == "ongoing":
                return cls(ongoing=True)
            return cls(date=PlanDate.parse(value))
        if isinstance(value, dict):
            def date_of(key):
                return PlanDate.parse(value[key]) if key in value else None

            due = cls(
                date=date_of("date"), start=date_of("start"), end=date_of("end"), review=date_of("review"),
                from_=date_of("from"), ongoing=bool(value.get("ongoing")), tbc=bool(value.get("tbc")),
                note=value.get("note"), as_printed=value.get("as_printed"),
            )
            if (due.start is None) != (due.end is None):
                raise DateError("a range needs both start and end")
            if due.start and due.end and due.start.last_day > due.end.last_day:
                raise DateError(f"range starts ({due.start.iso()}) after it ends ({due.end.iso()})")
            return due
        raise DateError(f"{_shown(value)} is not a date")

    @property
    def is_set(self) -> bool:
        return any((self.date, self.start, self.end, self.review, self.from_, self.ongoing, self.tbc))

    @property
    def deadline(self) -> PlanDate | None:
        """The date by which the work should be done, for overdue and slippage checks; None when open-ended."""
        return self.date or self.end or self.review

    def display(self, style: str = "short", in_full: bool = False) -> str:
        """As the plan prints it: its own wording where it keeps one, else in the plan's date style
        ("Jan–Apr 18"); in_full writes months and years out ("January–April 2018"), as a reader
        outside the plan's tables expects."""
        if self.as_printed:
            return self.as_printed
        if in_full:
            style = "long"
        if self.tbc and not self.deadline:
            return "TBC"
        if self.start and self.end:
            if self.start.year == self.end.year and not self.start.day and not self.end.day:
                text = f"{self.start.month_name(style)}–{self.end.display(style)}"
            else:
                text = f"{self.start.display(style)}–{self.end.display(style)}"
        elif self.from_:
            text = ("Ongoing from " if self.ongoing else "From ") + self.from_.display(style)
        elif self.review:
            purpose = f"{self.note} in " if self.note else "review in "
            text = ("Ongoing / " if self.ongoing else "") + purpose + self.review.display(style)
            return text
        elif self.date:
            text = self.date.display(style)
        elif self.ongoing:
            text = "Ongoing"
        else:
            return ""
        if self.note:
            text = f"{self.note} {text}"
        if self.tbc:
            text += " (TBC)"
        return text
