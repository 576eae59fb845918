"""Dates as people and exports write them: "2024", "2024-05", "May 2024", "2024-05-17", with
how much of the date was given, and a period as a since/until bound."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

#: How much of a date the source gave: a year, a month, or (None) a whole date.
Precision = Literal["year", "month"] | None

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def month_number(value: object) -> int | None:
    """1-12 from "5", "05", "may", "May", "mai"... (the first three letters), or None."""
    text = str(value or "").strip().lower().strip("{}")
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    # "may", "May", "18--24 Jul" (PMLR): the first word that names a month
    return next((_MONTHS[w[:3]] for w in re.findall(r"[a-z]{3,}", text) if w[:3] in _MONTHS), None)


def parse_date(value: object) -> tuple[dt.date | None, Precision]:
    """(date, precision) from ISO text ("2024-05-17", with or without a time, "2024-05",
    "2024"), a year, or "May 2024": precision is "year", "month" or None for a full date.
    A value that is no date raises ValueError."""
    if value in (None, ""):
        return None, None
    text = str(value).strip().strip("{}").strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), "year"
    if (m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
        return dt.date(int(m[1]), int(m[2]), 1), "month"
    if (m := re.fullmatch(r"([A-Za-z]{3,})\.?\s+(\d{4})", text)) and (month := month_number(m[1])):
        return dt.date(int(m[2]), month, 1), "month"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date(), None
    except ValueError:
        raise ValueError(f"date {text!r} is not ISO (YYYY-MM-DD), YYYY-MM or a year") from None


def date_bound(value: str, *, end: bool) -> dt.date:
    """A "since"/"until" bound (`parse_date`'s forms: 2024, 2024-05, 2024-05-17, May 2024): a
    year or month starts on its first day as a lower bound and ends on its last as an upper
    one ("until 2024" keeps December 2024). Raises ValueError saying how to write one."""
    try:
        date, precision = parse_date(value)
    except ValueError:
        date, precision = None, None
    if date is None:
        raise ValueError(f"{value!r} is no date; write 2024, 2024-05 or 2024-05-17")
    if not end or precision is None:
        return date
    month = 12 if precision == "year" else date.month
    return dt.date(date.year, month, calendar.monthrange(date.year, month)[1])
