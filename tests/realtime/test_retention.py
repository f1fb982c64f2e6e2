"""The retention job: REALTIME_RETENTION_DAYS after a room's end its transcript goes; the room and its moderation log
stay."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from backend import periodic
from realtime import selectors, services
from realtime.enums import ModerationKind, QuestionStatus
from realtime.models import (
    Message,
    ModerationAction,
    Poll,
    PollOption,
    PollVote,
    Presence,
    Question,
    RaisedHand,
    Report,
    Room,
)
from realtime.services import transcripts_purge
from tests.realtime.factories import MessageFactory
from tests.scheduling.factories import SeatedBookingFactory, SessionBookingFactory, SessionsWorldFactory

pytestmark = pytest.mark.django_db

TRANSCRIPT_MODELS = (Message, Report, Question, Poll, PollOption, PollVote, RaisedHand, Presence)


def fill(room: Room, world) -> None:
    """Everything a room may hold: messages (one pinned, one reported then deleted by a moderator), a question
    approved by the teacher, a poll with a vote, a raised hand, a presence."""
    pupil, teacher = world.pupils[0], world.teacher
    first = MessageFactory(room=room, author=pupil, body="Bonjour !")
    second = MessageFactory(room=room, author=pupil, body="Mon numéro est masqué")
    Report.objects.create(message=second, reporter=world.pupils[1], reason="Coordonnées")
    services.message_delete(message=second, actor=teacher, reason="Coordonnées")
    Room.objects.filter(pk=room.pk).update(pinned_message=first)
    question = Question.objects.create(
        room=room, author=pupil, body="Quelles études ?", client_id="q1", status=QuestionStatus.APPROVED
    )
    ModerationAction.objects.create(
        room=room, actor=teacher, action=ModerationKind.APPROVE_QUESTION, target_question=question
    )
    poll = Poll.objects.create(room=room, question="Qui veut ce métier ?", created_by=world.professional)
    yes = PollOption.objects.create(poll=poll, label="Moi", position=0)
    PollOption.objects.create(poll=poll, label="Pas moi", position=1)
    PollVote.objects.create(poll=poll, option=yes, voter=pupil)
    RaisedHand.objects.create(room=room, user=pupil)
    Presence.objects.create(room=room, user=pupil, channel_name=f"specific.{room.pk}!abc", role="pupil")


class Cast:
    """Two session rooms and a tutoring room, filled: one session ended 91 days ago (past the 90 days kept), one
    ten days ago, and the tutoring 100 days ago."""

    def __init__(self):
        self.world = world = SessionsWorldFactory()
        now = timezone.now().replace(microsecond=0)
        self.old = self.room(now - datetime.timedelta(days=91, hours=1))
        self.recent = self.room(now - datetime.timedelta(days=10))
        starts_at = now - datetime.timedelta(days=100)
        booking = SeatedBookingFactory(
            pupil=world.pupils[0], slot__starts_at=starts_at, slot__ends_at=starts_at + datetime.timedelta(minutes=45)
        )
        self.old_tutoring = services.room_for_booking(booking)
        for room in (self.old, self.recent, self.old_tutoring):
            fill(room, world)

    def room(self, starts_at):
        session = self.world.session(starts_at=starts_at)
        SessionBookingFactory(session=session, school_class=self.world.school_class)
        return services.room_for_session(session)


@pytest.fixture
def cast(settings):
    settings.REALTIME_RETENTION_DAYS = 90
    return Cast()


def snapshot() -> dict:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in TRANSCRIPT_MODELS} | {
        "log": sorted(ModerationAction.objects.values_list("pk", "target_message_id", "target_question_id")),
        "rooms": sorted(Room.objects.values_list("pk", "pinned_message_id")),
    }


def purge_command(*args) -> str:
    out = StringIO()
    call_command("purge_room_transcripts", *args, stdout=out)
    return out.getvalue()


def holds(room: Room) -> dict:
    return {
        "messages": Message.objects.filter(room=room).count(),
        "reports": Report.objects.filter(message__room=room).count(),
        "questions": Question.objects.filter(room=room).count(),
        "polls": Poll.objects.filter(room=room).count(),
        "options": PollOption.objects.filter(poll__room=room).count(),
        "votes": PollVote.objects.filter(poll__room=room).count(),
        "hands": RaisedHand.objects.filter(room=room).count(),
        "presences": Presence.objects.filter(room=room).count(),
    }


FULL = {"messages": 2, "reports": 1, "questions": 1, "polls": 1, "options": 2, "votes": 1, "hands": 1, "presences": 1}
EMPTY = dict.fromkeys(FULL, 0)


def test_only_rooms_past_retention_are_selected(cast):
    assert list(selectors.rooms_past_retention()) == sorted([cast.old, cast.old_tutoring], key=lambda room: room.pk)


def test_the_dry_run_counts_and_changes_nothing(cast):
    before = snapshot()

    output = purge_command()

    assert snapshot() == before
    assert "salons concernés : 2" in output
    assert "messages : 4" in output
    assert "votes : 2" in output
    assert "Simulation : relancez avec --wet-run pour supprimer." in output


def test_the_real_run_deletes_exactly_the_old_transcripts(cast):
    old_log = list(
        ModerationAction.objects.filter(room=cast.old).order_by("pk").values_list("pk", "actor_id", "action", "reason")
    )
    recent_before = holds(cast.recent)

    output = purge_command("--wet-run")

    assert "Supprimé." in output
    for room in (cast.old, cast.old_tutoring):
        assert holds(room) == EMPTY
        room.refresh_from_db()  # the room stays
        assert room.pinned_message is None
    assert holds(cast.recent) == recent_before == FULL
    assert Room.objects.get(pk=cast.recent.pk).pinned_message_id is not None
    # The log keeps who, what, when and why; what it aimed at in the transcript is gone.
    log = ModerationAction.objects.filter(room=cast.old).order_by("pk")
    assert list(log.values_list("pk", "actor_id", "action", "reason")) == old_log
    assert all(row.target_message_id is None and row.target_question_id is None for row in log)
    assert log.get(action=ModerationKind.DELETE_MESSAGE).target_user == cast.world.pupils[0]
    recent_log = ModerationAction.objects.filter(room=cast.recent)
    assert recent_log.get(action=ModerationKind.DELETE_MESSAGE).target_message is not None
    assert recent_log.get(action=ModerationKind.APPROVE_QUESTION).target_question is not None


def test_running_again_finds_nothing_to_delete(cast):
    transcripts_purge(apply=True)
    after_first = snapshot()

    counts = transcripts_purge(apply=True)

    assert counts["rooms"] == 0
    assert snapshot() == after_first
    assert "Rien à supprimer." in purge_command("--wet-run")


def test_the_nightly_retention_job_purges_the_transcripts(cast):
    """backend.retention runs every retention rule each night; the transcripts' is this one."""
    from backend.retention.tasks import retention_apply_task

    retention_apply_task.delay().get()

    assert holds(cast.old) == EMPTY
    assert holds(cast.recent) == FULL
    job = next(job for job in periodic.JOBS if job.task == "backend.retention.tasks.retention_apply_task")
    assert job.hour == "3"  # nightly


def test_the_retention_period_is_a_setting(cast, settings):
    settings.REALTIME_RETENTION_DAYS = 5
    assert transcripts_purge(apply=True)["rooms"] == 3
    assert holds(cast.recent) == EMPTY


def test_the_log_page_still_reads_after_the_purge(client, cast):
    transcripts_purge(apply=True)
    client.force_login(cast.world.teacher)

    response = client.get(reverse("realtime:room-log", args=[cast.old.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Message effacé avec la discussion" in html
    assert "Question effacée avec la discussion" in html
    assert "Coordonnées" in html
