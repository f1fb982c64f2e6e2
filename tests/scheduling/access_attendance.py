"""Access rules for the roll page of a discovery session (merged into tests/test_permissions.py)."""

from tests.access import Access


def session_args(world):
    return {"pk": world["attendance_session"].pk}


# The class's teacher and the association's staff take the roll; everybody else (the school head, the professional,
# platform staff, pupils) is told the page does not exist.
ACCESS: dict = {
    "scheduling:session_attendance": Access({"teacher", "association_staff"}, denied=404, kwargs=session_args),
}
