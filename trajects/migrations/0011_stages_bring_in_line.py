"""Rule 6 for the rows saved before it (issue 12): every traject is brought in line.

- a stage outside the traject's business type is cleared;
- an open type in a stage that sets an outcome: the stage is cleared (the type is what the
  totals and statistics counted, and the later choice: entering the stage had set the type);
- won has kans 100 %, lost 0 %; the kans it had is kept as the last open kans;
- a won or lost traject gets `closed_at` (its last change: the best known moment) and, when
  its stage is an open one, that stage as the stage it closed from.

It works in batches of ids, each batch its own transaction, so 1,000,000 trajects never sit in
one transaction, and running it again changes nothing. Every change of a visible field is
written in the traject's dossier as a field change by the system (no author).
"""

from django.db import migrations, transaction
from django.db.models import Exists, F, Max, Min, OuterRef

BATCH = 10_000
CLOSED_PROBABILITY = {"won": 100, "lost": 0}


def bring_in_line(apps, schema_editor, batch_size: int = BATCH) -> dict[str, int]:
    """Fix every traject that breaks rule 6; returns how many rows each fix changed."""
    Traject = apps.get_model("trajects", "Traject")
    TrajectType = apps.get_model("settings_app", "TrajectType")
    Stage = apps.get_model("settings_app", "Stage")
    fits = Stage._meta.get_field("business_types").remote_field.through.objects.filter(
        stage_id=OuterRef("stage_id"), businesstype_id=OuterRef("business_type_id")
    )
    types = dict(TrajectType.objects.values_list("pk", "outcome"))
    open_types = [pk for pk, outcome in types.items() if outcome == "open"]
    stage_names = dict(Stage.objects.values_list("pk", "name"))
    outcome_stages = list(Stage.objects.exclude(outcome_on_entry="").values_list("pk", flat=True))
    counts = {"stage_outside_business": 0, "open_type_in_outcome_stage": 0, "probability": 0}
    counts["closed_at"] = 0
    bounds = Traject.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return counts
    for start in range(bounds["first"], bounds["last"] + 1, batch_size):
        with transaction.atomic():
            batch = Traject.objects.filter(pk__gte=start, pk__lt=start + batch_size)
            outside = batch.filter(stage__isnull=False).exclude(Exists(fits))
            counts["stage_outside_business"] += _clear_stage(apps, outside, stage_names)
            contradicting = batch.filter(type_id__in=open_types, stage_id__in=outcome_stages)
            counts["open_type_in_outcome_stage"] += _clear_stage(apps, contradicting, stage_names)
            for outcome, fixed in CLOSED_PROBABILITY.items():
                closed = [pk for pk, o in types.items() if o == outcome]
                wrong = batch.filter(type_id__in=closed).exclude(probability=fixed)
                counts["probability"] += _fix_probability(apps, wrong, fixed)
            unclosed = batch.exclude(type_id__in=open_types).filter(closed_at__isnull=True)
            counts["closed_at"] += unclosed.exclude(stage_id__in=outcome_stages).update(
                closed_at=F("updated_at"), closed_from_stage=F("stage")
            )
            counts["closed_at"] += unclosed.update(closed_at=F("updated_at"))
    return counts


def _log(apps, rows: list[tuple[int, str, str, str, str]]) -> None:
    DossierEntry = apps.get_model("trajects", "DossierEntry")
    DossierEntry.objects.bulk_create(
        DossierEntry(traject_id=pk, kind=kind, data={"field": field, "old": old, "new": new})
        for pk, kind, field, old, new in rows
    )


def _clear_stage(apps, trajects, stage_names: dict[int, str]) -> int:
    found = list(trajects.values_list("pk", "stage_id"))
    if not found:
        return 0
    _log(apps, [(pk, "stage", "stage", stage_names[stage], "–") for pk, stage in found])
    Traject = apps.get_model("trajects", "Traject")
    return Traject.objects.filter(pk__in=[pk for pk, _stage in found]).update(
        stage=None, version=F("version") + 1
    )


def _fix_probability(apps, trajects, fixed: int) -> int:
    found = list(trajects.values_list("pk", "probability"))
    if not found:
        return 0
    _log(apps, [(pk, "field", "probability", str(old), str(fixed)) for pk, old in found])
    Traject = apps.get_model("trajects", "Traject")
    return Traject.objects.filter(pk__in=[pk for pk, _old in found]).update(
        open_probability=F("probability"), probability=fixed, version=F("version") + 1
    )


class Migration(migrations.Migration):
    atomic = False  # each batch commits on its own

    dependencies = [
        ("settings_app", "0003_settings_screen_i6"),
        ("trajects", "0010_stages_closing"),
    ]

    operations = [migrations.RunPython(bring_in_line, migrations.RunPython.noop)]
