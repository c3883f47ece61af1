"""Carriers Handel knows, with their public tracking pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    tracking_url: str  # {tracking}, {country} and {postcode} are filled in

    def link(self, tracking_number: str, country: str = "", postcode: str = "") -> str:
        if not self.tracking_url or not tracking_number:
            return ""
        return self.tracking_url.format(
            tracking=quote(tracking_number), country=quote(country), postcode=quote(postcode.replace(" ", ""))
        )


CARRIERS: dict[str, Carrier] = {
    carrier.code: carrier
    for carrier in (
        Carrier("postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/{tracking}-{country}-{postcode}"),
        Carrier("dhl", "DHL", "https://www.dhl.com/nl-en/home/tracking/tracking-parcel.html?tracking-id={tracking}"),
        Carrier("dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/{tracking}"),
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={tracking}"),
        Carrier("gls", "GLS", "https://gls-group.com/track/{tracking}"),
        Carrier("bpost", "bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode={tracking}"),
        Carrier("own", "Own delivery", ""),
        Carrier("pickup", "Store pickup", ""),
    )
}
