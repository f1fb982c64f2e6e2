"""PostgreSQL refuses overlaps itself, whatever the code in front of it does.

- A tutor never holds two open slots that overlap in time (a group slot is one row with several seats).
- A pupil never holds two booked tutoring appointments that overlap.

Exclusion constraints over `tstzrange` need `btree_gist` (a "trusted" extension: a database owner may create it)
for the equality on the person's id. SQLite has no such constraint: there the booking service's checks run inside
a write transaction, which SQLite serialises.
"""

from django.db import migrations

CONSTRAINTS = {
    "scheduling_slot": (
        "sched_slot_tutor_no_overlap",
        "tutor_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
        "status = 'open'",
    ),
    "scheduling_booking": (
        "sched_booking_pupil_no_overlap",
        "pupil_id WITH =, tstzrange(starts_at, ends_at) WITH &&",
        "status = 'booked'",
    ),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for table, (name, expression, condition) in CONSTRAINTS.items():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist ({expression}) WHERE ({condition})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, (name, _expression, _condition) in CONSTRAINTS.items():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
