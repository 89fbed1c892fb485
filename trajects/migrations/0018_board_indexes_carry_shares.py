"""The board's indexes carry what a share needs (value, kans, number of accountmanagers): an
accountmanager's board reads his cards and header sums from the index alone (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trajects", "0017_saved_view_per_overview"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="traject",
            name="traject_board_column",
        ),
        migrations.RemoveIndex(
            model_name="traject",
            name="traject_board_close",
        ),
        migrations.AddIndex(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True), ("deleted_at__isnull", True)),
                fields=["business_type", "stage", "expected_close", "id"],
                include=("type", "value", "probability", "accountmanager_count"),
                name="traject_board_column",
            ),
        ),
        migrations.AddIndex(
            model_name="traject",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True), ("deleted_at__isnull", True)),
                fields=["business_type", "expected_close", "id"],
                include=("type", "stage", "value", "probability", "accountmanager_count"),
                name="traject_board_close",
            ),
        ),
    ]
