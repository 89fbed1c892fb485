"""Trigram index for the overview's keyword search, on PostgreSQL only (SQLite migrates on).

`subject__icontains` compiles to `UPPER(subject::text) LIKE UPPER(...)` on PostgreSQL, so the
index is on that expression.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS traject_subject_trgm "
    "ON trajects_traject USING gin ((UPPER(subject::text)) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS traject_subject_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("trajects", "0002_overview_i4")]

    operations = [migrations.RunPython(run(CREATE), run(DROP), elidable=False)]
