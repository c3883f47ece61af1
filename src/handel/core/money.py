"""Money: a Decimal amount with an ISO 4217 currency. Never a float.

Rounding to the currency's minor unit is always half up (0.005 EUR -> 0.01 EUR).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.numbers import format_currency, get_currency_precision, list_currencies


class CurrencyError(ValueError):
    pass


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isupper())


@dataclass(frozen=True, slots=True)
class Currency:
    code: str

    def __post_init__(self) -> None:
        if self.code not in known_currencies():
            raise CurrencyError(f"'{self.code}' is not an ISO 4217 currency code")

    @property
    def minor_units(self) -> int:
        return minor_units(self.code)

    @property
    def quantum(self) -> Decimal:
        return quantum(self.code)

    def __str__(self) -> str:
        return self.code


@cache
def minor_units(code: str) -> int:
    return int(get_currency_precision(code))


@cache
def quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(code))


def to_decimal(value: Any) -> Decimal:
    """Convert int, str or Decimal to Decimal; floats are refused, they cannot hold cents exactly."""
    if isinstance(value, bool | float):
        raise TypeError("money amounts must be Decimal, int or str, never float or bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(f"'{value}' is not a number") from exc
    else:
        raise TypeError(f"cannot make an amount of {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("money amounts must be finite")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str | Currency) -> None:
        code = currency.code if isinstance(currency, Currency) else currency
        if code not in known_currencies():
            raise CurrencyError(f"'{code}' is not an ISO 4217 currency code")
        object.__setattr__(self, "amount", to_decimal(amount))
        object.__setattr__(self, "currency", code)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _check(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: object) -> Money:
        if other == 0:
            return self
        return Money(self.amount + self._check(other).amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from 0
        if other == 0:
            return self
        return self.__add__(other)

    def __sub__(self, other: object) -> Money:
        return Money(self.amount - self._check(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply money by money")
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: object) -> Money:
        if isinstance(divisor, Money):
            raise TypeError("divide money by a number; use ratio() for money by money")
        return Money(self.amount / to_decimal(divisor), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._check(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def rounded(self) -> Money:
        """Round to the currency's minor unit, half up."""
        return Money(self.amount.quantize(quantum(self.currency), rounding=ROUND_HALF_UP), self.currency)

    @property
    def is_rounded(self) -> bool:
        return self.amount == self.amount.quantize(quantum(self.currency), rounding=ROUND_HALF_UP)

    def allocate(self, weights: list[Decimal | int]) -> list[Money]:
        """Split into parts proportional to weights that add up exactly to this (rounded) amount.

        Remainder cents go to the parts with the largest rounding loss, then the first ones,
        so a discount spread over lines sums back to the cent.
        """
        if not weights:
            raise ValueError("allocate needs at least one weight")
        decimal_weights = [to_decimal(w) for w in weights]
        if any(w < 0 for w in decimal_weights):
            raise ValueError("weights must not be negative")
        total_weight = sum(decimal_weights, Decimal(0))
        step = quantum(self.currency)
        whole = self.rounded().amount
        if total_weight == 0:
            decimal_weights = [Decimal(1)] * len(weights)
            total_weight = Decimal(len(weights))
        exact = [whole * w / total_weight for w in decimal_weights]
        parts = [e.quantize(step, rounding="ROUND_DOWN" if whole >= 0 else "ROUND_UP") for e in exact]
        remainder = whole - sum(parts, Decimal(0))
        units = int((remainder / step).to_integral_value())
        order = sorted(range(len(parts)), key=lambda i: (-(abs(exact[i] - parts[i])), i))
        sign = 1 if units >= 0 else -1
        for index in order[: abs(units)]:
            parts[index] += step * sign
        return [Money(p, self.currency) for p in parts]

    def format(self, locale: str = "en") -> str:
        return str(format_currency(self.amount, self.currency, locale=locale.replace("-", "_")))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def round_amount(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
