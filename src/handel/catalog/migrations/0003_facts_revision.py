from django.db import migrations

from handel.core.revisions import track

# Every write that can change what `catalog.queries.product_facts` answers changes the
# "catalog.facts" revision (FACTS_REVISION); a process keeping facts checks it before using them.
FACT_TABLES = {
    "catalog_product": (
        "sku",
        "kind",
        "parent_id",
        "status",
        "name",
        "brand_id",
        "weight_grams",
        "tax_class",
        "min_order_qty",
        "order_increment",
        "cost_price",
        "msrp",
        "bundle_pricing",
        "attribute_summary",
    ),
    "catalog_brand": ("code",),
    "catalog_category": ("path",),
    "catalog_productcategory": (),
    "catalog_bundleoptiongroup": ("bundle_id", "is_required", "position"),
    "catalog_bundleoption": (),
}


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_channel_listing_sku"),
        ("core", "0003_revision"),
    ]

    operations = [track("catalog.facts", FACT_TABLES)]
