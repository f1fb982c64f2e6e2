"""The daily e-mail, with a controlled clock: one message per person listing her new questionnaires, never twice
about the same one, nothing about what she answered, nothing to people without an address (most pupils)."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from backend import periodic
from backend.celery import app
from backend.follow_up import selectors, services, tasks
from backend.follow_up.models import FeedbackInvitation
from tests import factories
from tests.follow_up.support import DAY, NOW, Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return Cast(NOW)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def message_to(user) -> EmailMultiAlternatives:
    (message,) = [message for message in mail.outbox if message.to == [user.email]]
    return message


def test_each_person_gets_one_message_listing_her_questionnaires_then_nothing(cast, settings):
    settings.SITE_URL = "https://passerelle.example.fr"
    session = cast.session(title="Les métiers du soin")
    cast.tutoring()
    cast.internship()
    assert services.invitations_send(now=NOW) == 4
    # The professional (session + internship), the facilitator, the tutor, the employer; the pupils have no address.
    assert recipients() == sorted(
        [cast.professional.email, cast.facilitator.email, cast.tutor.email, cast.employer.email]
    )
    professional = message_to(cast.professional)
    assert professional.subject == "Passerelle : donnez votre avis"
    assert "Les métiers du soin" in professional.body
    assert "Une semaine à l'hôpital (Stagiaire : Inès B.)" in professional.body
    assert "https://passerelle.example.fr/avis/" in professional.body
    assert "Benali" not in professional.body  # pupils by first name and initial
    html = professional.alternatives[0][0]
    assert "Les métiers du soin" in html
    assert FeedbackInvitation.objects.filter(user=cast.professional).count() == 2
    assert FeedbackInvitation.objects.filter(user=cast.facilitator, kind="session", object_id=session.pk).exists()

    mail.outbox.clear()
    assert services.invitations_send(now=NOW) == 0
    assert services.invitations_send(now=NOW + DAY) == 0
    assert mail.outbox == []


def test_a_pupil_with_an_address_is_invited_too(cast):
    cast.pupil.email = "ines.parent@example.org"
    cast.pupil.save()
    cast.session()
    services.invitations_send(now=NOW)
    message = message_to(cast.pupil)
    assert message.subject == "Passerelle : donne ton avis"
    assert "Les métiers du soin" in message.body
    assert "t'attend" in message.body


def test_only_new_questionnaires_are_announced(cast):
    first = cast.session(title="Première séquence")
    services.invitations_send(now=NOW)
    assert len(message_to(cast.professional).body.split("Première séquence")) == 2

    # The next day: a second session has ended; the first one is not announced again.
    mail.outbox.clear()
    cast.now = NOW + DAY
    cast.session(title="Deuxième séquence", ended_ago=datetime.timedelta(hours=3))
    assert services.invitations_send(now=NOW + DAY) == 2  # the professional and the facilitator
    body = message_to(cast.professional).body
    assert "Deuxième séquence" in body
    assert "Première séquence" not in body
    assert FeedbackInvitation.objects.filter(kind="session", object_id=first.pk).count() == 2


def test_nothing_about_what_was_answered_not_held_or_too_old(cast):
    answered = cast.session(title="Déjà notée")
    services.answer_submit(user=cast.professional, kind="session", target_id=answered.pk, satisfaction=4, now=NOW)
    cast.session(title="Trop ancienne", ended_ago=8 * DAY)  # ended before the last week: never e-mailed about
    cast.session(title="Pas encore finie", ended_ago=-DAY)
    cast.session(title="Annulée", status="cancelled")
    assert services.invitations_send(now=NOW) == 1
    assert recipients() == [cast.facilitator.email]
    body = message_to(cast.facilitator).body
    assert "Déjà notée" in body
    for title in ("Trop ancienne", "Pas encore finie", "Annulée"):
        assert title not in body


def test_inactive_people_and_people_without_an_address_get_nothing(cast):
    cast.session()
    cast.facilitator.is_active = False
    cast.facilitator.save()
    type(cast.professional).objects.filter(pk=cast.professional.pk).update(email="")
    assert services.invitations_send(now=NOW) == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_no_trace_and_the_next_run_sends_it(cast, monkeypatch):
    cast.session()
    original = EmailMultiAlternatives.send

    def failing(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", failing)
    with pytest.raises(OSError, match="SMTP down"):
        services.invitations_send(now=NOW)
    assert not FeedbackInvitation.objects.exists()

    monkeypatch.setattr(EmailMultiAlternatives, "send", original)
    assert services.invitations_send(now=NOW) == 2
    assert services.invitations_send(now=NOW) == 0


def test_someone_invited_already_is_not_invited_again(cast):
    session = cast.session()
    FeedbackInvitation.objects.create(kind="session", object_id=session.pk, user=cast.professional)
    assert services.invitations_send(now=NOW) == 1
    assert recipients() == [cast.facilitator.email]


def test_a_run_that_lost_the_race_sends_nothing(cast, monkeypatch):
    session = cast.session()
    original = selectors.pending_questionnaires

    def meanwhile(user, **kwargs):
        # Another worker invites the professional between this run's reading and its writing.
        if user == cast.professional:
            FeedbackInvitation.objects.create(kind="session", object_id=session.pk, user=user)
        return original(user, **kwargs)

    monkeypatch.setattr(selectors, "pending_questionnaires", meanwhile)
    assert services.invitations_send(now=NOW) == 1
    assert recipients() == [cast.facilitator.email]
    assert FeedbackInvitation.objects.filter(user=cast.professional).count() == 1


def test_the_daily_task_is_scheduled_and_sends_with_the_real_clock():
    app.loader.import_default_modules()
    job = next(job for job in periodic.JOBS if job.task == "backend.follow_up.tasks.feedback_invitations_send_task")
    assert (job.minute, job.hour) == ("0", "17")
    assert job.task in app.tasks

    cast = Cast()  # the task reads the real clock
    cast.session()
    factories.OrganisationMembershipFactory(organisation=cast.organisation, pending=True)
    assert tasks.feedback_invitations_send_task.delay().get() == 2
    assert tasks.feedback_invitations_send_task.delay().get() == 0
