"""The Sales Select board's indexes (issue 13): partial, over open trajects only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trajects", "0015_stale_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True), ("deleted_at__isnull", True)),
                fields=["business_type", "stage", "expected_close", "id"],
                include=("type", "value", "probability"),
                name="traject_board_column",
            ),
        ),
        migrations.AddIndex(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True), ("deleted_at__isnull", True)),
                fields=["business_type", "expected_close", "id"],
                include=("type", "stage"),
                name="traject_board_close",
            ),
        ),
        migrations.AddIndex(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", False), ("deleted_at__isnull", True)),
                fields=["business_type", "stage", "closed_at", "id"],
                include=("type",),
                name="traject_board_closed",
            ),
        ),
    ]
