"""Every periodic job of the platform, kept in code. `manage.py sync_periodic_tasks --wet-run` writes them to
django-celery-beat's tables, which the single beat process reads (see docker-compose.yml); jobs are named
with the "passerelle:" prefix so that the command can retire those removed from this list.

Times are in Europe/Paris: people expect reminders during their working day.
"""

from dataclasses import dataclass

PREFIX = "passerelle: "
TIME_ZONE = "Europe/Paris"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str  # the Celery task's registered name
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"

    @property
    def full_name(self) -> str:
        return PREFIX + self.name


JOBS = [
    PeriodicJob(
        name="archive offers whose weeks have all passed",
        task="backend.offers.tasks.offers_archive_past_task",
        minute="10",
        hour="1",
    ),
    PeriodicJob(
        name="expire unanswered applications and remind employers",
        task="backend.offers.tasks.applications_expire_and_remind_task",
        minute="30",
        hour="7-19",
    ),
    # Scheduling: reminders 24 h and 1 h ahead and the teachers' digests (each sent once, see
    # scheduling/reminders.py), and the attestation-expiry reminder.
    PeriodicJob(
        name="send scheduling reminders and teachers' digests",
        task="scheduling.tasks.reminders_send_task",
        minute="*/5",
    ),
    PeriodicJob(
        name="remind tutors whose attestation d'honorabilité expires within 30 days",
        task="scheduling.tasks.attestations_expiry_remind_task",
        minute="15",
        hour="8",
    ),
    # Video library: unfinished uploads past MEDIA_UPLOAD_SESSION_HOURS are dropped with their chunks.
    PeriodicJob(
        name="expire unfinished video uploads",
        task="media.tasks.uploads_expire_task",
        minute="20",
    ),
    # Feedback: one e-mail a day to the people who have new questionnaires (each questionnaire once).
    PeriodicJob(
        name="invite people to give their feedback",
        task="backend.follow_up.tasks.feedback_invitations_send_task",
        minute="0",
        hour="17",
    ),
    # The association dashboards' figures and the national view's yearly aggregates, recomputed before
    # FOLLOW_UP_FIGURES_SECONDS (15 minutes) expire, so that readers find them ready (backend/follow_up/figures.py).
    PeriodicJob(
        name="recompute the dashboards' figures",
        task="backend.follow_up.tasks.figures_refresh_task",
        minute="*/10",
    ),
    # --- retention ---
    # Every retention rule (backend/retention/README.md, live-room transcripts included), every night. The roll-over
    # of the school year that ended runs every night too, a no-op except on the first night from 20 August (before
    # it the year is not over; after it the year is already closed).
    PeriodicJob(
        name="apply the data-retention rules",
        task="backend.retention.tasks.retention_apply_task",
        minute="10",
        hour="3",
    ),
    PeriodicJob(
        name="close the school year that ended",
        task="backend.retention.tasks.rollover_school_year_task",
        minute="30",
        hour="2",
    ),
    # --- end retention ---
]
