"""Access rules for the class follow-up (merged into tests/test_permissions.py).

The world's teacher follows her class and nudges its pupils; the school's head and platform staff read the page and
its exports; everyone else gets a 404, as for a class that does not exist. Only the pupil marks her nudge seen."""

from tests.access import Access

READERS = {"teacher", "school_head", "platform_staff"}


def class_args(world):
    return {"pk": world["school_class"].pk}


def nudge_args(world):
    return {"pk": world["school_class"].pk, "pupil_pk": world["users"]["pupil"].pk}


def nudge_seen_args(world):
    return {"pk": world["class_follow_up_nudge"].pk}


ACCESS: dict = {
    "follow_up:class_follow_up": Access(READERS, denied=404, kwargs=class_args),
    "follow_up:class_export_csv": Access(READERS, denied=404, kwargs=class_args),
    "follow_up:class_export_xlsx": Access(READERS, denied=404, kwargs=class_args),
    "follow_up:nudge": Access(
        {"teacher"}, method="post", ok=302, denied=404, kwargs=nudge_args, data={"kind": "tutoring"}
    ),
    "follow_up:nudge_seen": Access({"pupil"}, method="post", ok=302, denied=404, kwargs=nudge_seen_args),
}
