"""The moderation queue (/salons/signalements/), resolving a report, and a room's moderation log."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.organisations.enums import AssociationRole
from realtime import selectors, services
from realtime.enums import ModerationKind, ReportResolution
from realtime.models import Message, ModerationAction, Report
from tests import factories
from tests.realtime.factories import MessageFactory
from tests.scheduling.factories import (
    AvailabilitySettingsFactory,
    SeatedBookingFactory,
    SessionBookingFactory,
    SessionsWorldFactory,
)

pytestmark = pytest.mark.django_db


class Cast:
    """A session under way with its class; in its room a pupil's message reported by two classmates. A tutoring
    booking of the same pupil with a tutor of the association, whose room holds a tutor's message the pupil
    reported. Another class's teacher, for whom none of this is."""

    def __init__(self):
        world = SessionsWorldFactory()
        self.teacher, self.pupils, self.staff = world.teacher, world.pupils, world.staff
        self.professional = world.professional
        self.platform = factories.UserFactory(staff=True)
        self.other_teacher, _other_class = world.another_class()
        session = world.session(starts_at=timezone.now() - datetime.timedelta(minutes=10))
        SessionBookingFactory(session=session, school_class=world.school_class)
        self.session = session
        self.room = services.room_for_session(session)
        self.author = self.pupils[0]
        self.author.first_name, self.author.last_name = "Inès", "Benali"
        self.author.save()
        self.message = MessageFactory(room=self.room, author=self.author, body="Mon numéro : appelle-moi ce soir")
        self.report = services.report_create(message=self.message, reporter=self.pupils[1], reason="Il donne son 06")
        self.second_report = services.report_create(message=self.message, reporter=self.pupils[2])

        self.tutor = factories.UserFactory(first_name="Marc", last_name="Durand")
        factories.AssociationMembershipFactory(
            user=self.tutor, association=world.association, role=AssociationRole.TUTOR
        )
        AvailabilitySettingsFactory(user=self.tutor, association=world.association)
        starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
        booking = SeatedBookingFactory(
            pupil=self.author,
            slot__tutor=self.tutor,
            slot__starts_at=starts_at,
            slot__ends_at=starts_at + datetime.timedelta(minutes=45),
        )
        self.tutoring_room = services.room_for_booking(booking)
        self.tutor_message = MessageFactory(room=self.tutoring_room, author=self.tutor, body="Travaille ton CV.")
        self.tutoring_report = services.report_create(message=self.tutor_message, reporter=self.author)


@pytest.fixture
def cast():
    return Cast()


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def resolve(client, report_id, **data):
    return client.post(reverse("realtime:report-resolve", args=[report_id]), data)


def test_each_supervising_adult_sees_the_reports_of_the_rooms_they_moderate(cast):
    session_reports = {cast.report.pk, cast.second_report.pk}
    assert set(selectors.reports_for(cast.teacher).values_list("pk", flat=True)) == {
        *session_reports,
        cast.tutoring_report.pk,
    }
    assert set(selectors.reports_for(cast.staff).values_list("pk", flat=True)) == {
        *session_reports,
        cast.tutoring_report.pk,
    }
    # Platform staff moderate every session's room; tutoring rooms belong to the pupil's supervisors.
    assert set(selectors.reports_for(cast.platform).values_list("pk", flat=True)) == session_reports
    for nobody in (cast.other_teacher, cast.professional, cast.tutor, cast.pupils[1]):
        assert not selectors.reports_for(nobody).exists(), nobody


def test_the_queue_shows_the_message_its_author_the_reporter_and_the_reason(client, cast):
    client.force_login(cast.teacher)

    response = client.get(reverse("realtime:reports"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Inès B." in html
    assert "Benali" not in html  # pupils are first name + initial
    assert "Mon numéro : appelle-moi ce soir" in html
    assert cast.pupils[1].display_name in html
    assert "motif : Il donne son 06" in html
    assert "aucun motif donné" in html
    assert "Signalé par 2 personnes" in html
    assert cast.session.title in html
    assert "Supprimer le message" in html
    assert "Classer sans suite" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert reverse("realtime:report-resolve", args=[cast.report.pk]) in html
    assert reverse("realtime:room-log", args=[cast.room.pk]) in html


def test_the_queue_page_queries_do_not_grow_with_the_reports(client, cast):
    client.force_login(cast.staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("realtime:reports")).status_code == 200
        return len(queries)

    services.report_resolve(report=cast.tutoring_report, actor=cast.staff, resolution="dismissed")
    before = count()
    for body in ("Un", "Deux", "Trois"):
        message = MessageFactory(room=cast.room, author=cast.pupils[1], body=body)
        report = services.report_create(message=message, reporter=cast.pupils[2], reason=body)
        services.report_create(message=message, reporter=cast.author)
    services.report_resolve(report=report, actor=cast.teacher, resolution="dismissed")
    assert count() == before


def test_the_queue_is_for_moderators(client, cast):
    for person in (cast.pupils[1], cast.professional, cast.tutor):
        client.force_login(person)
        assert client.get(reverse("realtime:reports")).status_code == 403
    client.force_login(cast.other_teacher)
    response = client.get(reverse("realtime:reports"))
    assert response.status_code == 200
    assert "Aucun signalement en attente." in response.content.decode()


def test_dismissing_a_report_dismisses_those_of_the_same_message_logs_them_and_lists_them_below(client, cast):
    client.force_login(cast.staff)

    response = resolve(client, cast.report.pk, resolution="dismissed", reason="Pas de numéro dans le message")

    assert response.status_code == 302
    assert response["Location"] == reverse("realtime:reports")
    assert flashed(response) == ["Le signalement est classé sans suite ; le message reste en place."]
    for report in (cast.report, cast.second_report):
        report.refresh_from_db()
        assert report.resolution == ReportResolution.DISMISSED
        assert report.resolved_by == cast.staff
    assert Report.objects.get(pk=cast.tutoring_report.pk).resolved_at is None
    assert not Message.objects.get(pk=cast.message.pk).is_deleted
    log = ModerationAction.objects.filter(room=cast.room)
    assert {(row.action, row.actor, row.target_message, row.reason) for row in log} == {
        (ModerationKind.DISMISS_REPORT, cast.staff, cast.message, "Pas de numéro dans le message")
    }
    assert log.count() == 2
    html = client.get(reverse("realtime:reports")).content.decode()
    resolved_part = html.split('id="resolved-title"')[1]
    assert "Classé sans suite" in resolved_part
    assert cast.staff.display_name in resolved_part


def test_deleting_the_message_resolves_every_report_of_it(client, cast):
    client.force_login(cast.teacher)

    response = resolve(client, cast.report.pk, resolution="deleted", reason="Coordonnées")

    assert response.status_code == 302
    assert flashed(response) == ["Le message est supprimé ; ses signalements sont traités."]
    message = Message.objects.get(pk=cast.message.pk)
    assert message.is_deleted
    assert message.deleted_by == cast.teacher
    assert not Report.objects.filter(message=message, resolved_at__isnull=True).exists()
    assert ModerationAction.objects.filter(
        room=cast.room, action=ModerationKind.DELETE_MESSAGE, actor=cast.teacher, reason="Coordonnées"
    ).exists()
    assert not selectors.reports_for(cast.teacher).filter(message=message).exists()


def _nothing_changed(cast):
    assert not Report.objects.filter(resolved_at__isnull=False).exists()
    assert not ModerationAction.objects.exists()
    assert not Message.objects.filter(deleted_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"resolution": "burn"}, "Suite inconnue pour ce signalement."),
        ({}, "Choisissez la suite à donner au signalement."),
        ({"resolution": "deleted", "reason": "x" * 501}, "Le motif est trop long : 500 caractères au plus."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, cast, data, error):
    client.force_login(cast.teacher)
    response = resolve(client, cast.report.pk, **data)
    assert response.status_code == 302
    assert flashed(response) == [error]
    _nothing_changed(cast)


def test_an_unknown_report_or_one_of_another_class_is_refused(client, cast):
    client.force_login(cast.teacher)
    response = resolve(client, 987654, resolution="dismissed")
    assert response.status_code == 302
    assert flashed(response) == ["Ce signalement n'existe pas ou ne relève pas de vous."]

    client.get(reverse("realtime:reports"))  # shows, and so clears, the message
    client.force_login(cast.other_teacher)
    response = resolve(client, cast.report.pk, resolution="deleted")
    assert flashed(response) == ["Ce signalement n'existe pas ou ne relève pas de vous."]
    _nothing_changed(cast)


def test_a_report_already_resolved_is_not_resolved_twice(client, cast):
    client.force_login(cast.teacher)
    resolve(client, cast.report.pk, resolution="dismissed")
    response = resolve(client, cast.report.pk, resolution="deleted")
    assert flashed(response) == [
        "Le signalement est classé sans suite ; le message reste en place.",
        "Ce signalement a déjà été traité.",
    ]
    assert not Message.objects.get(pk=cast.message.pk).is_deleted
    assert ModerationAction.objects.count() == 2


def test_the_tutor_does_not_moderate_his_own_tutoring_but_the_pupils_teacher_does(client, cast):
    client.force_login(cast.tutor)
    assert resolve(client, cast.tutoring_report.pk, resolution="dismissed").status_code == 403
    client.force_login(cast.teacher)
    response = resolve(client, cast.tutoring_report.pk, resolution="dismissed")
    assert flashed(response) == ["Le signalement est classé sans suite ; le message reste en place."]


def test_resolving_needs_a_post_with_a_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.teacher)
    assert client.get(reverse("realtime:report-resolve", args=[cast.report.pk])).status_code == 405
    assert resolve(client, cast.report.pk, resolution="dismissed").status_code == 403
    _nothing_changed(cast)


# --- The room's moderation log --------------------------------------------------------------------------------------


def test_the_log_shows_who_did_what_when_to_whom_and_why(client, cast):
    services.report_resolve(report=cast.report, actor=cast.teacher, resolution="deleted", reason="Coordonnées")
    services.room_lock(room=cast.room, actor=cast.staff, reason="Fin des échanges")
    client.force_login(cast.staff)

    response = client.get(reverse("realtime:room-log", args=[cast.room.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert cast.teacher.display_name in html
    assert "Message supprimé" in html
    assert "Message n° 1" in html
    assert "Inès B." in html
    assert "Coordonnées" in html
    assert "Salon verrouillé" in html
    assert "Fin des échanges" in html
    assert reverse("realtime:room", args=[cast.room.pk]) in html


def test_the_log_is_for_the_rooms_moderators_only(client, cast):
    url = reverse("realtime:room-log", args=[cast.room.pk])
    for person in (cast.pupils[0], cast.professional, cast.other_teacher):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(cast.tutor)
    assert client.get(reverse("realtime:room-log", args=[cast.tutoring_room.pk])).status_code == 403
    client.force_login(cast.teacher)
    assert client.get(reverse("realtime:room-log", args=[cast.tutoring_room.pk])).status_code == 200
    assert client.get(reverse("realtime:room-log", args=[987654])).status_code == 404


# --- In the browser ----------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_teacher_handles_a_report_in_the_browser_without_accessibility_violations(ui):
    from playwright.sync_api import expect

    from tests.browser_support import log_in

    cast = Cast()
    page = ui.page
    log_in(ui, cast.teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    page.get_by_role("link", name="Mes salons").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes salons")
    ui.check()
    page.get_by_role("link", name=f"Journal de modération : {cast.session.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal de modération")
    ui.check()

    ui.goto(reverse("realtime:reports"))
    card = page.get_by_role("article", name=f"Message n° 1 de Inès B. dans « {cast.session.title} »")
    card.get_by_label("Motif de votre décision (facultatif)").fill("Pas de numéro en réalité")
    card.get_by_role("button", name="Classer sans suite les signalements du message n° 1 de Inès B.").click()
    expect(page.get_by_text("Le signalement est classé sans suite ; le message reste en place.")).to_be_visible()
    ui.check()
    assert set(ModerationAction.objects.filter(room=cast.room).values_list("reason", flat=True)) == {
        "Pas de numéro en réalité"
    }

    ui.goto(reverse("realtime:room-log", args=[cast.room.pk]))
    expect(page.get_by_role("row").filter(has_text="Signalement classé sans suite").first).to_contain_text(
        "Pas de numéro en réalité"
    )
    ui.check()
