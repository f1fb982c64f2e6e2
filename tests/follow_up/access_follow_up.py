"""Access rules for the feedback pages (merged into tests/test_permissions.py)."""

from tests.access import PUPILS, SIGNED_IN, Access


def session_args(world):
    return {"kind": "sequence", "pk": world["follow_up_session"].pk}


ACCESS: dict = {
    # Every signed-in person has a "Vos avis" page (empty when there is nothing to answer).
    "follow_up:questionnaires": Access(SIGNED_IN),
    # A questionnaire: those who took part in the session that ended (the class's pupils, the professional); a 404
    # for anyone else.
    "follow_up:answer": Access(PUPILS | {"professional"}, denied=404, kwargs=session_args),
}
