"""Trigram indexes for the trajects overview's keyword search, on PostgreSQL only.

They match the expressions Django compiles for `Relation.objects.matching()` (name_normalised
LIKE) and for the contact name (`UPPER((first_name || ' ' || last_name)::text) LIKE`).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS relation_name_trgm "
    "ON crm_relation USING gin (name_normalised gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_full_name_trgm ON crm_contact "
    "USING gin ((UPPER((first_name || ' ' || last_name)::text)) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS relation_name_trgm", "DROP INDEX IF EXISTS contact_full_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
