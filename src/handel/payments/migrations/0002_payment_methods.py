from django.db import migrations

DEFAULTS = [
    ("card", 10, [], ""),
    ("bank_transfer", 20, [], "Transfer the amount to NL91 ABNA 0417 1643 00 (Handel B.V.) with your order number."),
    ("cash_on_delivery", 30, ["b2c"], "Pay the driver in cash or by card on delivery."),
    ("purchase_order", 40, ["b2b"], "We invoice your purchase order; payment terms as agreed."),
    ("on_account", 50, ["b2b"], "Charged to your company account within its credit limit."),
]


def create_methods(apps, schema_editor):
    config = apps.get_model("payments", "PaymentMethodConfig")
    for code, order, channels, instructions in DEFAULTS:
        config.objects.get_or_create(code=code, defaults={"sort_order": order, "channels": channels,
                                                          "instructions": instructions})


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(create_methods, migrations.RunPython.noop)]
