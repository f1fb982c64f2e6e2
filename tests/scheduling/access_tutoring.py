"""Access rules for the scheduling tutoring URLs (merged into tests/test_permissions.py).

See tests/scheduling/world_tutoring.py: the world's tutor has a rule, an exception and a booking with the consented
pupil (taught by `teacher`; the tutor's association is the one `association_staff` works for).
"""

from tests.access import PUPILS, SIGNED_IN, Access

TUTOR = {"tutor"}
# The booking's pupil and tutor, her teacher, the tutor's association's staff, platform staff; the others get a 404.
BOOKING_VIEWERS = {"pupil", "tutor", "teacher", "association_staff", "platform_staff"}


PARTIES = {"pupil", "tutor", "platform_staff"}


def booking_args(world):
    return {"pk": world["tutoring_booking"].pk}


ACCESS: dict = {
    # The tutor's week and availability editor.
    "scheduling:tutor_week": Access(TUTOR),
    "scheduling:tutor_settings": Access(
        TUTOR, method="post", ok=302, data={"time_zone": "Europe/Paris", "min_notice_hours": 24, "horizon_days": 28}
    ),
    "scheduling:rule_create": Access(TUTOR),
    # Another person's rule or exception is a 404 for a tutor; non-tutors are refused first.
    "scheduling:rule_edit": Access(TUTOR, kwargs=lambda w: {"pk": w["tutoring_rule"].pk}),
    "scheduling:rule_delete": Access(TUTOR, method="post", ok=302, kwargs=lambda w: {"pk": w["tutoring_rule"].pk}),
    "scheduling:exception_create": Access(TUTOR),
    "scheduling:exception_delete": Access(
        TUTOR, method="post", ok=302, kwargs=lambda w: {"pk": w["tutoring_exception"].pk}
    ),
    # The pupil finds and books a slot (a pupil whose guardian's consent is pending sees the page; booking is refused).
    "scheduling:slots": Access(PUPILS),
    "scheduling:book": Access(PUPILS, kwargs=lambda w: {"key": w["tutoring_slot_key"]}),
    "scheduling:my_appointments": Access(PUPILS),
    # One booking.
    "scheduling:booking_detail": Access(BOOKING_VIEWERS, denied=404, kwargs=booking_args),
    # Cancel and reschedule: its pupil, its tutor, platform staff; anyone else (supervisors included) a 404.
    "scheduling:booking_cancel": Access(PARTIES, denied=404, kwargs=booking_args),
    "scheduling:booking_reschedule": Access(PARTIES, denied=404, kwargs=booking_args),
    # Marking attendance: the tutor, platform staff (a booking still to come: a message and a redirect).
    "scheduling:booking_mark": Access(
        TUTOR | {"platform_staff"}, method="post", ok=302, denied=404, data={"attended": "1"}, kwargs=booking_args
    ),
    # The API answers JSON: 401 to anonymous callers.
    "api:tutoring-slot-list": Access(SIGNED_IN, anonymous=401),
    "api:tutoring-booking-list": Access(SIGNED_IN, anonymous=401),
    "api:tutoring-booking-cancel": Access(
        PARTIES, method="post", denied=404, anonymous=401, data={"reason": "Malade."}, kwargs=booking_args
    ),
    "api:tutoring-booking-reschedule": Access(
        PARTIES, method="post", ok=400, denied=404, anonymous=401, data={"reason": "x"}, kwargs=booking_args
    ),
    "api:tutoring-rule-list": Access(TUTOR, anonymous=401),
    "api:tutoring-rule-detail": Access(
        TUTOR, method="delete", ok=204, denied=404, anonymous=401, kwargs=lambda w: {"pk": w["tutoring_rule"].pk}
    ),
}
