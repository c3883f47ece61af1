"""Tax on one line: the rate by country, region, product tax class and customer tax class, the EU
B2B reverse charge, and per-line rounding (half up to the currency's minor unit)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from handel.pricing.engine.types import HUNDRED, ZERO, ExplanationStep, TaxedAmount, TaxRateData, TaxSetup

# Greece writes EL in front of its VAT numbers.
VAT_PREFIX = {"GR": "EL"}
VAT_NUMBER_SHAPE = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,12}$")


def has_valid_vat_number_format(country: str, vat_number: str) -> bool:
    """The number is shaped like a VAT number of the buyer's country (prefix and length); an online
    VIES check, where wanted, happens before the number reaches the context."""
    number = vat_number.replace(" ", "").replace(".", "").replace("-", "").upper()
    return bool(VAT_NUMBER_SHAPE.match(number)) and number.startswith(VAT_PREFIX.get(country, country))


def is_reverse_charge(tax: TaxSetup) -> bool:
    return (
        bool(tax.buyer_vat_number)
        and tax.destination_country in tax.eu_countries
        and tax.seller_country in tax.eu_countries
        and tax.destination_country != tax.seller_country
        and has_valid_vat_number_format(tax.destination_country, tax.buyer_vat_number)
    )


def find_rate(
    rates: tuple[TaxRateData, ...], *, country: str, region: str, tax_class: str, customer_tax_class: str
) -> TaxRateData | None:
    """Most specific match wins: region and customer tax class both given, then region, then
    customer tax class, then the country-wide rate. Ties go to the first (the loader orders by id)."""
    best: TaxRateData | None = None
    best_score = -1
    for rate in rates:
        if rate.country != country or rate.tax_class != tax_class:
            continue
        if rate.region and rate.region != region:
            continue
        if rate.customer_tax_class and rate.customer_tax_class != customer_tax_class:
            continue
        score = (2 if rate.region else 0) + (1 if rate.customer_tax_class else 0)
        if score > best_score:
            best, best_score = rate, score
    return best


def round_half_up(amount: Decimal, step: Decimal) -> Decimal:
    return amount.quantize(step, ROUND_HALF_UP)


class TaxCalculator:
    """Rates resolved once per tax class for a context, then applied to many lines."""

    def __init__(self, tax: TaxSetup, step: Decimal) -> None:
        self.tax = tax
        self.step = step
        self.reverse_charge = is_reverse_charge(tax)
        self._cache: dict[str, tuple[Decimal, Decimal, ExplanationStep]] = {}

    def rates_for(self, tax_class: str) -> tuple[Decimal, Decimal, ExplanationStep]:
        """(destination rate, home rate, explanation) for a product tax class."""
        cached = self._cache.get(tax_class)
        if cached is not None:
            return cached
        tax = self.tax
        home = find_rate(
            tax.rates,
            country=tax.seller_country,
            region="",
            tax_class=tax_class,
            customer_tax_class=tax.customer_tax_class,
        )
        home_rate = home.rate if home else ZERO
        if self.reverse_charge:
            step = ExplanationStep(
                "tax",
                "reverse_charge",
                f"EU B2B reverse charge: buyer in {tax.destination_country} with VAT number "
                f"{tax.buyer_vat_number}, seller in {tax.seller_country}; no VAT charged",
                ZERO,
            )
            result = (ZERO, home_rate, step)
        else:
            found = find_rate(
                tax.rates,
                country=tax.destination_country,
                region=tax.destination_region,
                tax_class=tax_class,
                customer_tax_class=tax.customer_tax_class,
            )
            if found is None:
                step = ExplanationStep(
                    "tax", tax_class, f"no tax rate for class '{tax_class}' in {tax.destination_country}; 0%", ZERO
                )
                result = (ZERO, home_rate, step)
            else:
                where = tax.destination_country + (f"/{found.region}" if found.region else "")
                who = f", customer tax class {found.customer_tax_class}" if found.customer_tax_class else ""
                step = ExplanationStep(
                    "tax", found.name or tax_class, f"{found.rate}% for class '{tax_class}' in {where}{who}", found.rate
                )
                result = (found.rate, home_rate, step)
        self._cache[tax_class] = result
        return result

    def line(self, amount: Decimal, tax_class: str) -> tuple[TaxedAmount, ExplanationStep]:
        """Tax on a line amount given on the channel's entry basis; rounded once, per line."""
        rate, home_rate, step = self.rates_for(tax_class)
        if self.tax.prices_entered_including_tax:
            if rate == home_rate:
                # The entered gross price is what the buyer pays; the tax is the part of it.
                gross = amount
                tax_amount = round_half_up(gross * rate / (HUNDRED + rate), self.step)
                net = gross - tax_amount
            else:
                net = round_half_up(amount * HUNDRED / (HUNDRED + home_rate), self.step)
                tax_amount = round_half_up(net * rate / HUNDRED, self.step)
                gross = net + tax_amount
        else:
            net = amount
            tax_amount = round_half_up(net * rate / HUNDRED, self.step)
            gross = net + tax_amount
        return TaxedAmount(net=net, tax=tax_amount, gross=gross, rate=rate, reverse_charge=self.reverse_charge), step

    def display(self, taxed: TaxedAmount) -> Decimal:
        return taxed.gross if self.tax.prices_shown_including_tax else taxed.net
