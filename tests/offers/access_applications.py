"""Access rules for the offers applications URLs (merged into tests/test_permissions.py).

`world["application"]` is the consented pupil's submitted application to `world["offer"]`, an offer of the
organisation that `employer` manages; `teacher` teaches the pupil's class and `school_head` heads its school.
"""

from tests.access import PUPILS, Access

OFFER_MANAGERS = {"employer", "platform_staff"}
CLASS_MANAGERS = {"teacher", "school_head", "platform_staff"}


def application_args(world):
    return {"pk": world["application"].pk}


def class_args(world):
    return {"pk": world["school_class"].pk}


ACCESS: dict = {
    # A pupil's pages: the form (or why she may not apply: already applied, consent pending), her applications.
    "offers:apply": Access(PUPILS, kwargs=lambda w: {"pk": w["offer"].pk}),
    "offers:my_applications": Access(PUPILS),
    # One application: the pupil, the offer's managers, her class's teachers and head, platform staff.
    "offers:application_detail": Access({"pupil", "teacher", "school_head"} | OFFER_MANAGERS, kwargs=application_args),
    "offers:application_answer": Access(
        OFFER_MANAGERS,
        method="post",
        ok=302,
        data={"decision": "decline", "reason": "distance"},
        kwargs=application_args,
    ),
    # The pupil's own actions: a refusal (nothing to confirm yet) still answers with a redirect and a message.
    "offers:application_confirm": Access({"pupil"}, method="post", ok=302, kwargs=application_args),
    "offers:application_withdraw": Access({"pupil"}, method="post", ok=302, kwargs=application_args),
    "offers:application_note": Access(
        CLASS_MANAGERS, method="post", ok=302, data={"teacher_note": "Relancer mardi."}, kwargs=application_args
    ),
    "offers:offer_applications": Access(OFFER_MANAGERS, kwargs=lambda w: {"pk": w["offer"].pk}),
    "offers:class_applications": Access(CLASS_MANAGERS, kwargs=class_args),
    "offers:class_applications_csv": Access(CLASS_MANAGERS, kwargs=class_args),
}
