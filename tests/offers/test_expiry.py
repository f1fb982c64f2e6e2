"""Expiry and reminders with a controlled clock: the daily pass is set-based and idempotent."""

import datetime

import pytest
from django.utils import timezone

from backend.offers import applications as services
from backend.offers.enums import ApplicationStatus
from backend.offers.models import Application
from backend.offers.tasks import applications_expire_and_remind_task
from tests import factories

pytestmark = pytest.mark.django_db

MOTIVATION = "Je voudrais découvrir le métier d'électricienne pendant mon stage."
NOTHING = {"expired_unanswered": 0, "expired_unconfirmed": 0, "first_reminders": 0, "last_reminders": 0}


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def application(world, start, django_capture_on_commit_callbacks):
    pupil = factories.EnrolmentFactory(school_class=world["school_class"]).pupil
    with django_capture_on_commit_callbacks(execute=True):
        return services.application_submit(
            pupil=pupil,
            offer=world["offer"],
            motivation=MOTIVATION,
            weeks=list(world["offer"].weeks.all())[:1],
            now=start,
        )


def run(day: float, start, capture, outbox) -> dict:
    """The daily pass `day` days after `start`; returns its counts, and leaves only its e-mails in `outbox`."""
    outbox.clear()
    with capture(execute=True):
        return services.applications_expire_and_remind(now=start + datetime.timedelta(days=day))


def test_reminders_at_7_and_14_days_then_expiry_at_15(
    world, application, start, mailoutbox, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=world["application"].pk).delete()  # only ours
    employer = world["users"]["employer"]
    teacher = world["users"]["teacher"]

    def run_on(day):
        return run(day, start, django_capture_on_commit_callbacks, mailoutbox)

    assert run_on(6.9) == NOTHING
    assert mailoutbox == []

    assert run_on(7) == {**NOTHING, "first_reminders": 1}
    assert [message.to for message in mailoutbox] == [[employer.email]]
    assert "attendent votre réponse" in mailoutbox[0].subject
    assert "dernier" not in mailoutbox[0].subject.lower()
    application.refresh_from_db()
    assert application.reminders_sent == 1
    assert application.status == ApplicationStatus.SUBMITTED

    assert run_on(7) == NOTHING  # the same day again: nothing more
    assert mailoutbox == []
    assert run_on(13) == NOTHING

    assert run_on(14) == {**NOTHING, "last_reminders": 1}
    assert [message.to for message in mailoutbox] == [[employer.email]]
    assert "dernier rappel" in mailoutbox[0].subject.lower()
    assert run_on(14.5) == NOTHING

    assert run_on(15) == {**NOTHING, "expired_unanswered": 1}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EXPIRED
    assert application.closed_at == start + datetime.timedelta(days=15)
    assert [message.to for message in mailoutbox] == [[teacher.email]]
    assert "expiré" in mailoutbox[0].body

    assert run_on(16) == NOTHING
    assert mailoutbox == []


def test_a_read_application_expires_too_and_an_answered_one_does_not(
    world, application, start, mailoutbox, django_capture_on_commit_callbacks
):
    services.application_mark_read(application=application, by=world["users"]["employer"], now=start)
    other = world["application"]
    Application.objects.filter(pk=other.pk).update(created_at=start)
    services.application_decline(application=other, by=world["users"]["employer"], reason="full", now=start)
    counts = run(15, start, django_capture_on_commit_callbacks, mailoutbox)
    assert counts["expired_unanswered"] == 1
    application.refresh_from_db()
    other.refresh_from_db()
    assert (application.status, other.status) == (ApplicationStatus.EXPIRED, ApplicationStatus.DECLINED)


def test_a_pass_that_missed_day_7_sends_one_last_reminder(
    world, application, start, mailoutbox, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=world["application"].pk).delete()
    assert run(14, start, django_capture_on_commit_callbacks, mailoutbox) == {**NOTHING, "last_reminders": 1}
    assert len(mailoutbox) == 1
    application.refresh_from_db()
    assert application.reminders_sent == 2
    assert run(14, start, django_capture_on_commit_callbacks, mailoutbox) == NOTHING


def test_reminders_are_grouped_per_offer(world, start, mailoutbox, django_capture_on_commit_callbacks):
    Application.objects.filter(pk=world["application"].pk).update(created_at=start)
    for _ in range(2):
        pupil = factories.EnrolmentFactory(school_class=world["school_class"]).pupil
        services.application_submit(
            pupil=pupil, offer=world["offer"], motivation=MOTIVATION, weeks=list(world["offer"].weeks.all()), now=start
        )
    assert run(7, start, django_capture_on_commit_callbacks, mailoutbox)["first_reminders"] == 3
    assert len(mailoutbox) == 1  # one e-mail for the offer's three applications
    assert mailoutbox[0].body.count("/candidatures/") == 4  # three applications and the offer's list


def test_an_acceptance_not_confirmed_within_7_days_expires(
    world, application, start, mailoutbox, django_capture_on_commit_callbacks
):
    Application.objects.filter(pk=world["application"].pk).delete()
    answered = start + datetime.timedelta(days=2)
    services.application_accept(
        application=application, by=world["users"]["employer"], week=application.weeks.get(), now=answered
    )
    assert run(8.9, start, django_capture_on_commit_callbacks, mailoutbox) == NOTHING  # 6.9 days after the answer
    assert run(9, start, django_capture_on_commit_callbacks, mailoutbox) == {**NOTHING, "expired_unconfirmed": 1}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.EXPIRED
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [world["users"]["teacher"].email, world["users"]["employer"].email]
    )
    assert application.week.seats_taken == 0
    assert run(30, start, django_capture_on_commit_callbacks, mailoutbox) == NOTHING


def test_confirmed_declined_and_withdrawn_ones_never_expire(
    world, application, start, django_capture_on_commit_callbacks
):
    pupil = application.pupil
    services.application_accept(
        application=application, by=world["users"]["employer"], week=application.weeks.get(), now=start
    )
    services.application_confirm(application=application, pupil=pupil, now=start)
    services.application_withdraw(application=world["application"], pupil=world["users"]["pupil"], now=start)
    counts = services.applications_expire_and_remind(now=start + datetime.timedelta(days=60))
    assert counts == NOTHING
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED


def test_the_task_calls_the_service(world, application, start):
    Application.objects.filter(pk__in=[application.pk, world["application"].pk]).update(
        created_at=start - datetime.timedelta(days=20)
    )
    result = applications_expire_and_remind_task.delay().get()
    assert result["expired_unanswered"] == 2
    assert applications_expire_and_remind_task.delay().get() == NOTHING
