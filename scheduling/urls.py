"""Scheduling pages: tutoring (availability, slots, bookings), remote discovery sessions, calendars. Each area keeps
its own routes."""

from scheduling.views import attendance, calendar, safeguarding, sessions, tutoring

app_name = "scheduling"

urlpatterns = [
    *tutoring.urlpatterns,
    *safeguarding.urlpatterns,
    *sessions.urlpatterns,
    *calendar.urlpatterns,
    *attendance.urlpatterns,
]
