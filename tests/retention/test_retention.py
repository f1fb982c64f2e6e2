"""The retention rules: archived pupils anonymised after RETENTION_PUPIL_MONTHS, answers detached from their author
after FEEDBACK_RETENTION_MONTHS, live-room transcripts (realtime's own rule), old invitations, sign-in logs and
expired sessions deleted — each at its boundary (the day counted in Paris), idempotent, and every statistic the
dashboards show identical before and after."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core import serializers
from django.urls import reverse

from backend.accounts.models import PupilProfile, User
from backend.follow_up.models import FeedbackAnswer, FeedbackInvitation, Nudge
from backend.offers.models import Application
from backend.retention import services
from backend.retention.models import ArchivedPupil
from media.models import WatchProgress
from realtime.models import Message
from scheduling.models import Booking, CalendarFeed, SessionAttendance
from tests import factories
from tests.factories import PASSWORD
from tests.realtime.factories import MessageFactory, RoomFactory
from tests.retention.support import MINUTE, NOW, PARIS, ROLLOVER_AT, UTC, Year, aggregates

pytestmark = pytest.mark.django_db

# Archived on 20 August 2027 at 00:30 (Paris): twelve months are over on 21 August 2028 at 00:00 in Paris,
# 22:00 UTC on the 20th.
ANONYMISED_FROM = datetime.datetime(2028, 8, 21, tzinfo=PARIS)
# Answered on 20 May 2027 (12:00 in Paris): detached from 21 May 2028 at 00:00 in Paris.
DETACHED_FROM = datetime.datetime(2028, 5, 21, tzinfo=PARIS)
QUERIES_FOR_ONE_BATCH = 26


@pytest.fixture
def year():
    year = Year()
    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)
    return year


def counts(report) -> list[int]:
    return [line.count for line in report.lines]


def line(report, key: str) -> int:
    return report.counts[key]


def snapshot() -> str:
    models = [User, PupilProfile, ArchivedPupil, Application, Booking, FeedbackAnswer, FeedbackInvitation, Message]
    return serializers.serialize("json", [row for model in models for row in model.objects.order_by("pk")])


def test_month_arithmetic_and_the_cutoff_in_paris():
    assert services.months_before(datetime.date(2028, 3, 31), 1) == datetime.date(2028, 2, 29)
    assert services.months_before(datetime.date(2028, 1, 15), 12) == datetime.date(2027, 1, 15)
    assert services.months_before(datetime.date(2028, 1, 15), 13) == datetime.date(2026, 12, 15)
    # 22:30 UTC on 20 August is already the 21st in Paris.
    assert services.cutoff(datetime.datetime(2028, 8, 20, 22, 30, tzinfo=UTC), 12) == datetime.datetime(
        2027, 8, 21, tzinfo=PARIS
    )


def test_just_under_twelve_months_nobody_is_anonymised(year):
    assert ANONYMISED_FROM.astimezone(UTC) == datetime.datetime(2028, 8, 20, 22, 0, tzinfo=UTC)

    report = services.retention_apply(wet_run=True, now=ANONYMISED_FROM - MINUTE)

    assert line(report, "pupils_anonymised") == 0
    assert not ArchivedPupil.objects.filter(anonymised_at__isnull=False).exists()
    assert User.objects.get(pk=year.cast.pupil.pk).first_name == "Inès"


def test_a_dry_run_counts_and_changes_nothing(year):
    before = snapshot()

    report = services.retention_apply(wet_run=False, now=ANONYMISED_FROM)

    assert snapshot() == before
    assert line(report, "pupils_anonymised") == 3
    assert line(report, "feedback_answers_detached") == 7
    assert "Simulation" in report.conclusion


def test_the_anonymisation_empties_what_names_or_describes_the_pupil(year, client):
    ines = year.cast.pupil
    old_username = ines.username
    CalendarFeed.objects.create(user=ines, token_hash="a" * 64)
    FeedbackInvitation.objects.create(kind="session", object_id=1, user=ines, sent_at=ROLLOVER_AT)
    AccessAttempt.objects.create(
        username=old_username, ip_address="203.0.113.7", user_agent="x", failures_since_start=1
    )
    client.force_login(ines)

    report = services.retention_apply(wet_run=True, now=ANONYMISED_FROM)

    assert line(report, "pupils_anonymised") == 3
    ines.refresh_from_db()
    assert (ines.first_name, ines.last_name, ines.username, ines.email) == (
        "Élève",
        "anonymisé",
        f"anonyme-{ines.pk}",
        "",
    )
    assert ines.display_name == "Élève A."
    assert not ines.is_active
    assert not ines.has_usable_password()
    assert ines.pupil_profile.birth_date == datetime.date(1900, 1, 1)
    application = Application.objects.get(pk=year.application.pk)
    assert (application.motivation, application.teacher_note) == ("", "")
    assert Booking.objects.get(pk=year.tutoring.pk).message == ""
    assert not CalendarFeed.objects.filter(user=ines).exists()
    assert not FeedbackInvitation.objects.filter(user=ines).exists()
    assert not AccessAttempt.objects.filter(username=old_username).exists()
    assert ArchivedPupil.objects.get(user=ines).anonymised_at == ANONYMISED_FROM
    # The rows stay: they are what the statistics count.
    assert Application.objects.filter(pupil=ines).count() == 1
    assert SessionAttendance.objects.filter(pupil=ines).count() == 1
    assert WatchProgress.objects.filter(user=ines).count() == 1
    # Her open session no longer works, and nobody can sign in as her.
    response = client.get(reverse("ui:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    for username in (old_username, ines.username):
        response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 200  # the form again, with its error
        assert "_auth_user_id" not in client.session
    # Léa, in next year's class, is untouched.
    assert User.objects.get(pk=year.lea.pk).first_name == "Léa"


def test_every_statistic_is_the_same_after_the_roll_over_and_the_anonymisation():
    year = Year()
    before = aggregates()
    assert before["satisfaction"].count == 7  # Inès ×3, Yanis, Sami, the professional, the tutor
    assert before["attendances"][0]["attended"] + before["attendances"][-1]["attended"] == 2

    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)
    report = services.retention_apply(wet_run=True, now=ANONYMISED_FROM)

    assert line(report, "pupils_anonymised") == 3
    assert line(report, "feedback_answers_detached") == 7
    assert not FeedbackAnswer.objects.filter(respondent__isnull=False).exists()
    assert aggregates() == before
    assert year.cast.pupil.pk in ArchivedPupil.objects.values_list("user_id", flat=True)


def test_answers_lose_their_author_and_comment_after_twelve_months_the_note_stays(year):
    early = services.retention_apply(wet_run=True, now=DETACHED_FROM - MINUTE)
    assert line(early, "feedback_answers_detached") == 0
    assert FeedbackAnswer.objects.filter(respondent__isnull=True).count() == 0

    report = services.retention_apply(wet_run=True, now=DETACHED_FROM)

    assert line(report, "feedback_answers_detached") == 7
    assert FeedbackAnswer.objects.count() == 7
    assert set(FeedbackAnswer.objects.values_list("respondent", "comment")) == {(None, "")}
    # The pupils are not due yet (archived in August 2027).
    assert line(report, "pupils_anonymised") == 0


def test_a_second_run_changes_nothing(year):
    first = services.retention_apply(wet_run=True, now=ANONYMISED_FROM)
    assert first.total > 0
    after_first = snapshot()

    second = services.retention_apply(wet_run=True, now=ANONYMISED_FROM)

    assert second.total == 0
    assert second.conclusion == "Rien à faire."
    assert snapshot() == after_first


def test_live_room_transcripts_go_through_realtimes_rule(year, settings):
    session = year.cast.pupil.session_attendances.get().session
    room = RoomFactory(session=session)
    MessageFactory(room=room, author=year.cast.pupil, body="Mon numéro : 06 12 34 56 78")
    after_retention = session.ends_at + datetime.timedelta(days=settings.REALTIME_RETENTION_DAYS, minutes=1)

    dry = services.retention_apply(wet_run=False, now=after_retention)
    assert line(dry, "room_transcripts_purged") == 1
    assert Message.objects.filter(room=room).exists()

    wet = services.retention_apply(wet_run=True, now=after_retention)
    assert line(wet, "room_transcripts_purged") == 1
    assert "1 messages" in next(item.detail for item in wet.lines if item.key == "room_transcripts_purged")
    assert not Message.objects.filter(room=room).exists()


def test_old_invitations_sign_in_logs_and_expired_sessions_are_deleted(year, settings):
    window = datetime.timedelta(days=settings.FEEDBACK_WINDOW_DAYS)
    moment = datetime.datetime(2028, 3, 1, 12, tzinfo=UTC)
    tutor = year.cast.tutor
    old = FeedbackInvitation.objects.create(kind="session", object_id=1, user=tutor, sent_at=moment - window - MINUTE)
    recent = FeedbackInvitation.objects.create(
        kind="session", object_id=2, user=year.cast.tutor, sent_at=moment - window
    )
    kept = datetime.datetime(2027, 8, 31, 22, 0, tzinfo=UTC)
    for attempt_time in (kept - MINUTE, kept):
        log = AccessLog.objects.create(username="someone@example.org", ip_address="203.0.113.7", user_agent="x")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=attempt_time)
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=moment - MINUTE)
    Session.objects.create(session_key="f" * 32, session_data="", expire_date=moment + MINUTE)

    report = services.retention_apply(wet_run=True, now=moment)

    assert line(report, "feedback_invitations_deleted") == 1
    assert list(FeedbackInvitation.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]
    # Six months before 1 March 2028 in Paris: 1 September 2027 at 00:00 in Paris, 22:00 UTC on 31 August.
    assert line(report, "sign_in_logs_deleted") == 1
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [kept]
    assert line(report, "expired_sessions_deleted") == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["f" * 32]


def test_the_periods_are_settings(year, settings):
    settings.RETENTION_PUPIL_MONTHS = 1
    settings.FEEDBACK_RETENTION_MONTHS = 1

    report = services.retention_apply(wet_run=False, now=datetime.datetime(2027, 9, 21, tzinfo=PARIS))

    assert line(report, "pupils_anonymised") == 3
    assert line(report, "feedback_answers_detached") == 7
    assert report.lines[1].period == "1 mois"
    assert NOW < ROLLOVER_AT


@pytest.mark.parametrize("pupils", [2, 10])
def test_the_work_is_set_based_its_query_count_does_not_grow_with_the_pupils(pupils, django_assert_num_queries):
    for _ in range(pupils):
        enrolment = factories.EnrolmentFactory(school_class__school_year=2026)
        factories.ApplicationFactory(pupil=enrolment.pupil)
    services.rollover_school_year(wet_run=True, now=ROLLOVER_AT)

    # The same number for 2 and for 10 pupils (one batch).
    with django_assert_num_queries(QUERIES_FOR_ONE_BATCH):
        report = services.retention_apply(wet_run=True, now=ANONYMISED_FROM)

    assert line(report, "pupils_anonymised") == pupils
    assert set(User.objects.filter(pupil_profile__isnull=False).values_list("first_name", flat=True)) == {"Élève"}


def test_nudges_of_the_closed_year_are_deleted_those_of_the_new_year_stay(year):
    cast = year.cast
    old = Nudge.objects.create(
        pupil=cast.pupil, school_class=cast.school_class, sent_by=cast.teacher, kind="apply", sent_on=NOW.date()
    )
    new = Nudge.objects.create(
        pupil=year.lea, school_class=year.next_year_class, sent_by=cast.teacher, kind="videos", sent_on=NOW.date()
    )

    dry = services.retention_apply(wet_run=False, now=ROLLOVER_AT)
    assert line(dry, "nudges_deleted") == 1
    assert Nudge.objects.filter(pk=old.pk).exists()

    wet = services.retention_apply(wet_run=True, now=ROLLOVER_AT)
    assert line(wet, "nudges_deleted") == 1
    assert list(Nudge.objects.all()) == [new]
