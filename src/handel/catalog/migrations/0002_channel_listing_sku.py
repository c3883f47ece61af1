from django.db import migrations, models

# Portable SQL: one statement copies every product's SKU to its channel links.
COPY_SKUS = (
    "UPDATE catalog_productchannel SET sku = "
    "(SELECT catalog_product.sku FROM catalog_product WHERE catalog_product.id = catalog_productchannel.product_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("channels", "0002_invoice_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="productchannel",
            name="sku",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunSQL(COPY_SKUS, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="productchannel",
            index=models.Index(fields=["channel", "sku"], name="catalog_channel_listing"),
        ),
    ]
