"""Rate-limit counters in a table of their own (one UPSERT per limit and request), replacing Django's database
cache and its table."""

from django.core.management import call_command
from django.db import migrations, models

OLD_CACHE_TABLE = "lipwa_ratelimit_cache"


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(OLD_CACHE_TABLE)}")


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", OLD_CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_ratelimit_cache_table")]

    operations = [
        migrations.CreateModel(
            name="RateLimitCounter",
            fields=[
                ("pk", models.CompositePrimaryKey("bucket", "window_end", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("bucket", models.CharField(max_length=80)),
                ("window_end", models.BigIntegerField()),
                ("hits", models.IntegerField()),
            ],
            options={"db_table": "lipwa_ratelimit_counter"},
        ),
        migrations.RunPython(drop_cache_table, create_cache_table),
    ]
