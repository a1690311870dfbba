"""The database table of the `ratelimit` cache (used when Redis is not configured)."""

from django.core.management import call_command
from django.db import migrations

TABLE = "lipwa_ratelimit_cache"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create_table, drop_table)]
