"""A live room in Debian's Chromium, five people in five browser contexts on a real ASGI server (daphne): a
teacher, two pupils (one on a phone's screen), the professional and the session's facilitator.

A pupil follows the link from the session page into the room; her phone number is masked and she is told why; she
asks a question, the facilitator approves it, the professional marks it answered and replies; a message is
reported (with the keyboard only), then deleted by the teacher and shown as removed to everybody; the pupil answers
the professional's poll; a raised hand is lowered by the teacher; the other pupil is muted then given the floor
back; the room is locked then unlocked; that pupil loses the network, and on return finds what he missed, in
order. axe-core finds nothing on the room page, before and after all that.

Needs PostgreSQL (the server is another process and must share the test database): skipped in the embedded mode.
Redis is used when REDIS_URL is set, as in CI."""

import contextlib
import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from realtime import services
from realtime.models import Message, Question, Report
from tests import factories
from tests.browser_support import watched_page
from tests.realtime.asgi_server import asgi_server  # noqa: F401 - the fixture
from tests.realtime.factories import MessageFactory
from tests.scheduling.factories import SeatedBookingFactory, SessionBookingFactory, SessionsWorldFactory, SlotFactory

pytestmark = pytest.mark.browser

PHONE = "06 12 34 56 78"
PHONE_SHAPE = re.compile(r"06[ .]?12[ .]?34")


def _cookie(user, base_url: str) -> dict:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": base_url}


class Cast:
    def __init__(self):
        world = SessionsWorldFactory()
        self.professional, self.teacher = world.professional, world.teacher
        self.ines = world.pupils[0]
        self.ines.first_name, self.ines.last_name = "Inès", "Benali"
        self.ines.save()
        self.malo = world.pupils[1]
        self.malo.first_name, self.malo.last_name = "Malo", "Durand"
        self.malo.save()
        self.facilitator = factories.AssociationMembershipFactory(
            association=world.association, user__first_name="Claire", user__last_name="Morel"
        ).user
        starts_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
        self.session = world.session(starts_at=starts_at, title="Les métiers de l'aéronautique")
        self.session.facilitators.add(self.facilitator)
        SessionBookingFactory(session=self.session, school_class=world.school_class, places=3)
        self.room = services.room_for_session(self.session)


def _connected(ui):
    expect(ui.page.locator("#room-status")).to_have_text("Connecté")


def _say(ui, label, text):
    field = ui.page.get_by_label(label)
    field.fill(text)
    field.press("Enter")


def _messages(ui):
    return ui.page.locator("#room-messages")


def _message_item(ui, text):
    return _messages(ui).locator("li").filter(has_text=text)


def test_a_live_room_with_five_people(browser, asgi_server):  # noqa: F811 - the fixture
    cast = Cast()
    room_path = f"/salons/{cast.room.pk}/"
    phone = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
    with contextlib.ExitStack() as stack:

        def open_page(user, **options):
            ui = stack.enter_context(watched_page(browser, asgi_server.base_url, **options))
            ui.page.context.add_cookies([asgi_server.cookie_for(user)])
            return ui

        ines, malo = open_page(cast.ines), open_page(cast.malo, **phone)
        teacher, professional, facilitator = (
            open_page(cast.teacher),
            open_page(cast.professional),
            open_page(cast.facilitator),
        )

        # 1. Inès follows the link on the session page.
        ines.goto(f"/sequences/{cast.session.pk}/")
        ines.page.get_by_role("link", name="Entrer dans le salon").click()
        expect(ines.page).to_have_url(asgi_server.url(room_path))
        expect(ines.page.get_by_role("heading", level=1)).to_have_text("Les métiers de l'aéronautique")
        _connected(ines)
        expect(ines.page.get_by_role("link", name="Rejoindre la visioconférence")).to_be_visible()
        ines.check()
        for ui in (malo, teacher, professional, facilitator):
            ui.goto(room_path)
            _connected(ui)
        expect(teacher.page.locator("#room-presence")).to_contain_text("Inès B.")
        expect(teacher.page.locator("#room-presence")).to_contain_text("Malo D.")

        # 2. Her phone number is masked, and she is told why; nobody sees it.
        _say(ines, "Ton message", f"Bonjour ! Mon numéro c'est le {PHONE}")
        expect(ines.page.locator("#room-notice")).to_contain_text("Pour ta sécurité")
        for ui in (ines, malo, teacher, professional, facilitator):
            expect(_message_item(ui, "Bonjour ! Mon numéro")).to_contain_text("[masqué]")
            expect(_messages(ui)).not_to_contain_text(PHONE_SHAPE)
        assert not PHONE_SHAPE.search(Message.objects.get(room=cast.room, seq=1).body)

        # 3. A question: waiting for a facilitator, approved, answered by the professional.
        question = "Faut-il être fort en maths pour travailler dans l'aéronautique ?"
        ines.page.get_by_label("Pose ta question").fill(question)
        ines.page.get_by_role("button", name="Envoyer la question").click()
        expect(ines.page.locator("#room-questions")).to_contain_text("en attente de validation")
        expect(facilitator.page.locator("#room-questions")).to_contain_text(question)
        expect(professional.page.locator("#room-questions")).not_to_contain_text(question)
        facilitator.page.locator("#room-questions").get_by_role("button", name=re.compile("^Valider")).click()
        expect(professional.page.locator("#room-questions")).to_contain_text(question)
        expect(malo.page.locator("#room-questions")).to_contain_text(question)
        professional.page.get_by_role("button", name=re.compile("^Marquer comme répondue")).click()
        expect(ines.page.locator("#room-questions")).to_contain_text("répondue")
        _say(professional, "Votre message", "Pas besoin d'être un génie : la curiosité compte d'abord.")
        expect(_messages(ines)).to_contain_text("la curiosité compte d'abord")
        assert Question.objects.get(room=cast.room).status == "answered"

        # 4. Malo writes something out of place; Inès reports it; the teacher deletes it; it is gone for all.
        _say(malo, "Ton message", "Ce message n'a rien à faire ici")
        expect(_message_item(ines, "rien à faire ici")).to_be_visible()
        # With the keyboard only: the dialog takes the focus, and gives it back when it closes.
        report = _message_item(ines, "rien à faire ici").get_by_role("button", name=re.compile("^Signaler"))
        report.focus()
        ines.page.keyboard.press("Enter")
        dialog = ines.page.locator("#room-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("Motif (facultatif)")).to_be_focused()
        ines.page.keyboard.type("Hors sujet")
        ines.page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="Envoyer le signalement")).to_be_focused()
        ines.page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(report).to_be_focused()
        expect(ines.page.locator("#room-notice")).to_contain_text("Signalement envoyé")
        reports = teacher.page.locator("#room-reports")
        expect(reports).to_contain_text("rien à faire ici")
        reports.get_by_role("button", name="Supprimer").click()
        teacher_dialog = teacher.page.locator("#room-dialog")
        expect(teacher_dialog).to_be_visible()
        teacher_dialog.get_by_role("button", name="Supprimer").click()
        for ui in (ines, malo, teacher, professional, facilitator):
            expect(_messages(ui)).not_to_contain_text("rien à faire ici")
            expect(_messages(ui)).to_contain_text("Message supprimé par la modération")
        assert list(Report.objects.filter(message__room=cast.room).values_list("reason", flat=True)) == ["Hors sujet"]
        assert Message.objects.get(room=cast.room, body="Ce message n'a rien à faire ici").deleted_at is not None

        # 5. A poll opened by the professional, answered by Inès; Malo raises his hand and the teacher lowers it.
        professional.page.get_by_text("Ouvrir un sondage").click()
        professional.page.get_by_label("Question du sondage").fill("Avez-vous déjà pris l'avion ?")
        professional.page.get_by_label("Réponse 1", exact=True).fill("Oui")
        professional.page.get_by_label("Réponse 2", exact=True).fill("Pas encore")
        professional.page.get_by_role("button", name="Ouvrir le sondage").click()
        polls = ines.page.locator("#room-polls")
        expect(polls).to_contain_text("Avez-vous déjà pris l'avion ?")
        polls.locator("label").filter(has_text="Pas encore").click()
        polls.get_by_role("button", name=re.compile("^Voter")).click()
        expect(professional.page.locator("#room-polls")).to_contain_text("Pas encore : 1 vote(s), 100 %")
        malo.page.get_by_role("button", name="Lever la main").click()
        expect(malo.page.get_by_role("button", name="Baisser la main")).to_have_attribute("aria-pressed", "true")
        hands = teacher.page.locator("#room-hands")
        expect(hands).to_contain_text("Malo D.")
        hands.get_by_role("button", name=re.compile("^Baisser la main")).click()
        expect(malo.page.get_by_role("button", name="Lever la main")).to_have_attribute("aria-pressed", "false")

        # 6. The teacher takes the floor from Malo and gives it back; the facilitator locks the room and unlocks it.
        presence = teacher.page.locator("#room-presence")
        presence.get_by_role("button", name="Rendre muet Malo D.").click()
        teacher.page.locator("#room-dialog").get_by_role("button", name="Confirmer").click()
        expect(malo.page.locator("#room-notice")).to_contain_text("La modération t'a retiré la parole")
        expect(malo.page.get_by_label("Ton message")).to_be_disabled()
        presence.get_by_role("button", name="Rendre la parole Malo D.").click()
        expect(malo.page.get_by_label("Ton message")).to_be_enabled()
        facilitator.page.get_by_role("button", name="Verrouiller le salon").click()
        for ui, label in ((ines, "Ton message"), (professional, "Votre message")):
            expect(ui.page.locator("#room-state")).to_have_text("Verrouillé par la modération")
            expect(ui.page.get_by_label(label)).to_be_disabled()
        facilitator.page.get_by_role("button", name="Déverrouiller le salon").click()
        for ui, label in ((ines, "Ton message"), (professional, "Votre message")):
            expect(ui.page.locator("#room-state")).to_have_text("Ouvert")
            expect(ui.page.get_by_label(label)).to_be_enabled()

        # 7. Malo loses the network; on return he finds what he missed, in order.
        malo.page.context.set_offline(True)
        expect(malo.page.locator("#room-status")).to_contain_text("Hors ligne")
        _say(professional, "Votre message", "Pendant ton absence, premier message")
        _say(facilitator, "Votre message", "Pendant ton absence, second message")
        expect(_messages(ines)).to_contain_text("second message")
        expect(_messages(malo)).not_to_contain_text("premier message")
        malo.page.context.set_offline(False)
        _connected(malo)
        expect(_messages(malo)).to_contain_text("second message")
        ids = [
            int(value)
            for value in _messages(malo).locator("li").evaluate_all("(items) => items.map((i) => i.dataset.id)")
        ]
        assert ids == sorted(ids)
        assert ids == list(range(1, Message.objects.filter(room=cast.room).count() + 1))

        # axe on the room page once it is full, for a pupil on a phone and for a moderator.
        malo.check()
        teacher.check()
        ines.check()
        for ui in (malo, teacher, professional, facilitator, ines):
            ui.assert_clean()


def test_a_finished_room_and_a_room_not_yet_open_need_no_socket(ui):
    """The transcript of a finished session (a removed message included) and the page of a tutoring room that opens
    in two days: rendered by the server, no WebSocket, axe finds nothing — also in the embedded mode."""
    world = SessionsWorldFactory()
    session = world.session(starts_at=timezone.now() - datetime.timedelta(days=1), title="Les métiers du bois")
    SessionBookingFactory(session=session, school_class=world.school_class)
    finished = services.room_for_session(session)
    MessageFactory(room=finished, author=world.professional, body="Merci pour vos questions !")
    MessageFactory(room=finished, author=world.pupils[0], body="Merci beaucoup")
    removed = MessageFactory(room=finished, author=world.pupils[1], body="Un message retiré")
    services.message_delete(message=removed, actor=world.teacher)
    slot = SlotFactory(starts_at=timezone.now() + datetime.timedelta(days=2))
    upcoming = services.room_for_booking(SeatedBookingFactory(slot=slot, pupil=world.pupils[0]))

    ui.page.context.add_cookies([_cookie(world.pupils[0], ui.base_url)])
    ui.goto(f"/salons/{finished.pk}/")
    expect(ui.page.get_by_text("Terminé : lecture seule")).to_be_visible()
    expect(ui.page.get_by_text("Merci pour vos questions !")).to_be_visible()
    expect(ui.page.get_by_text("Message supprimé par la modération")).to_be_visible()
    expect(ui.page.get_by_text("Un message retiré")).to_have_count(0)
    ui.goto(f"/salons/{upcoming.pk}/")
    expect(ui.page.locator("#room-state")).to_have_text("Pas encore ouvert")
    expect(ui.page.get_by_text("n'a pas de lien de visioconférence")).to_be_visible()
    expect(ui.page.locator("#room-status")).to_contain_text("pas encore ouvert")
