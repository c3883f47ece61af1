from django.db import migrations

from handel.core.revisions import track

# Every write to what the engine keeps between calls (price lists, their assignments and entries,
# rules, tax rates, channel settings) changes the "pricing" revision (pricing.cache). Promotions,
# coupons and their usage are read fresh for each cart and are not tracked.
PRICING_TABLES = {
    "pricing_pricelist": (),
    "pricing_pricelistassignment": (),
    "pricing_pricelistentry": (),
    "pricing_pricerule": (),
    "pricing_taxrate": (),
    "pricing_pricingchannelsettings": (),
}


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0002_customer_orders"),
        ("core", "0003_revision"),
    ]

    operations = [track("pricing", PRICING_TABLES)]
