"""Access rules for the scheduling sessions URLs (merged into tests/test_permissions.py)."""

from tests.access import PUPILS, Access

BOOKERS = {"teacher", "school_head"}
ORGANISERS = {"association_staff", "platform_staff"}
BROWSERS = PUPILS | BOOKERS | ORGANISERS
# A published session: whoever browses, and its professional.
VIEWERS = BROWSERS | {"professional"}


def session_args(world):
    return {"pk": world["sessions_session"].pk}


def booking_args(world):
    return {"pk": world["sessions_booking"].pk}


def request_args(world):
    return {"pk": world["sessions_request"].pk}


def class_args(world):
    return {"pk": world["school_class"].pk}


ACCESS: dict = {
    "scheduling:session_list": Access(BROWSERS),
    "scheduling:session_planner": Access(ORGANISERS),
    "scheduling:session_create": Access({"association_staff"}),
    "scheduling:session_detail": Access(VIEWERS, kwargs=session_args),
    "scheduling:session_edit": Access(ORGANISERS, kwargs=session_args),
    # Already published: the page says so and goes back to the session.
    "scheduling:session_publish": Access(ORGANISERS, method="post", ok=302, kwargs=session_args),
    "scheduling:session_cancel": Access(ORGANISERS, kwargs=session_args),
    # Without a class chosen (or, for a pupil, on a class-mode session) the page explains and goes back.
    "scheduling:session_book": Access(VIEWERS, method="post", ok=302, kwargs=session_args),
    "scheduling:session_booking_decide": Access(ORGANISERS, method="post", ok=302, kwargs=booking_args),
    "scheduling:session_booking_cancel": Access(ORGANISERS | BOOKERS, kwargs=booking_args),
    "scheduling:session_request_list": Access(ORGANISERS | BOOKERS),
    "scheduling:session_request_create": Access(BOOKERS),
    "scheduling:session_request_detail": Access(ORGANISERS | BOOKERS, kwargs=request_args),
    # Nobody chosen yet: the page comes back with the form's errors.
    "scheduling:session_request_propose": Access(ORGANISERS, method="post", ok=400, kwargs=request_args),
    "scheduling:session_request_answer": Access(BOOKERS, method="post", ok=302, kwargs=request_args),
    "scheduling:session_request_decline": Access(ORGANISERS, method="post", ok=302, kwargs=request_args),
    "scheduling:session_request_withdraw": Access(BOOKERS, method="post", ok=302, kwargs=request_args),
    "scheduling:class_calendar": Access(BOOKERS | {"platform_staff"}, kwargs=class_args),
    # Members of a host organisation and association staff say when they are free for sessions.
    "scheduling:session_availability": Access({"professional", "employer", "association_staff"}),
    # The API answers JSON: 401 to anonymous callers, 404 for what a caller may not see; 400 for an empty body.
    "api:session-list": Access(BROWSERS, anonymous=401),
    "api:session-detail": Access(VIEWERS, denied=404, anonymous=401, kwargs=session_args),
    "api:session-booking-create": Access(
        VIEWERS, method="post", ok=400, denied=404, anonymous=401, kwargs=session_args
    ),
    "api:session-booking-cancel": Access(
        ORGANISERS | BOOKERS, method="post", ok=400, denied=404, anonymous=401, kwargs=booking_args
    ),
}
