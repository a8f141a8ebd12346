"""Money as integer minor units (cents): parsed strictly, printed plainly, never a float."""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$")


class MoneyError(ValueError):
    pass


def parse_amount(text: str | int) -> int:
    """``"12.5"`` -> 1250 cents. Negative, malformed or sub-cent amounts are refused."""
    if isinstance(text, int):
        if text < 0:
            raise MoneyError(f"amount must not be negative: {text}")
        return text
    match = _AMOUNT.match(str(text))
    if not match:
        raise MoneyError(f"malformed amount {text!r}: write it like 12.50")
    whole, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(fraction)


def format_amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def tax_of(taxable: int, rate_basis_points: int) -> int:
    """Tax rounded half up to the cent (1000 basis points = 10 %)."""
    return (taxable * rate_basis_points + 5000) // 10000
