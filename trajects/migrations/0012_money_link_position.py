"""Each link's position among its traject's links (who gets the remainder cents of a split,
DESIGN rule 4), filled for the existing links in batches of trajects."""

from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

BATCH = 10_000  # trajects per UPDATE: a million trajects in a hundred short statements


def fill_positions(apps, schema_editor):
    """Position = the number of the traject's links added before this one (0 for the first)."""
    Link = apps.get_model("trajects", "TrajectAccountmanager")
    earlier = Link.objects.filter(traject=OuterRef("traject"), pk__lt=OuterRef("pk"))
    count = earlier.values("traject").annotate(n=Count("pk")).values("n")
    bounds = Link.objects.aggregate(first=models.Min("traject_id"), last=models.Max("traject_id"))
    if bounds["first"] is None:
        return
    start = bounds["first"]
    while start <= bounds["last"]:
        # Only the links that are not their traject's first need a position other than 0.
        Link.objects.filter(traject_id__gte=start, traject_id__lt=start + BATCH).filter(
            Exists(earlier)
        ).update(position=Coalesce(Subquery(count), 0))
        start += BATCH


class Migration(migrations.Migration):
    dependencies = [
        ("trajects", "0011_stages_bring_in_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="trajectaccountmanager",
            name="position",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(fill_positions, migrations.RunPython.noop, elidable=True),
    ]
