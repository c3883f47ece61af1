from django.db import migrations

from handel.companies.permissions import BUILT_IN_ROLES


def create_built_in_roles(apps, schema_editor):
    role_model = apps.get_model("companies", "Role")
    for code, (name, permissions) in BUILT_IN_ROLES.items():
        role_model.objects.update_or_create(company=None, code=code,
                                            defaults={"name": name, "permissions": list(permissions)})


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(create_built_in_roles, migrations.RunPython.noop)]
