"""Demo live room: a remote discovery session under way whenever the demo data is (re)loaded — it starts ten
minutes before the load and lasts three hours — booked by the demo class, with a few messages, a pinned welcome,
an approved question, a waiting one and an open poll, so that `make run` shows a room at work."""

import datetime

from django.utils import timezone

from realtime import services
from realtime.enums import QuestionStatus
from realtime.models import Message, Poll, Question
from scheduling.enums import CapacityUnit, SessionBookingStatus, SessionMode, SessionStatus, VideoProvider
from scheduling.models import DiscoverySession, SessionBooking

TITLE = "En direct : les métiers du numérique"


def load(*, association, organisation, professional, association_staff, teacher, school_class, pupil) -> int:
    """Creates or moves the live session, fills its room once; returns the room's number of messages."""
    now = timezone.now().replace(second=0, microsecond=0)
    starts_at = now - datetime.timedelta(minutes=10)
    session, created = DiscoverySession.objects.update_or_create(
        association=association,
        title=TITLE,
        defaults=dict(
            host_organisation=organisation,
            description=(
                "Une développeuse et un technicien réseau racontent leur journée, montrent leurs outils et "
                "répondent aux questions de la classe dans le salon."
            ),
            sector="M18",
            starts_at=starts_at,
            duration_minutes=180,
            ends_at=starts_at + datetime.timedelta(minutes=180),
            mode=SessionMode.CLASS,
            capacity=3,
            capacity_unit=CapacityUnit.CLASSES,
            video_provider=VideoProvider.WEBCONF,
            video_url="https://webconf.numerique.gouv.fr/passerelle-numerique",
            status=SessionStatus.PUBLISHED,
            created_by=association_staff,
        ),
    )
    if created:
        session.professionals.set([professional])
        session.facilitators.set([association_staff])
    SessionBooking.objects.get_or_create(
        session=session,
        school_class=school_class,
        defaults=dict(booked_by=teacher, places=1, status=SessionBookingStatus.CONFIRMED),
    )
    room = services.room_for_session(session)
    if Message.objects.filter(room=room).exists():
        return room.messages.count()
    during = now - datetime.timedelta(minutes=5)
    welcome, _ = services.message_post(
        room=room,
        author=association_staff,
        body="Bienvenue ! Posez vos questions dans le fil « Questions », levez la main pour prendre la parole.",
        client_id="demo-welcome",
        now=during,
    )
    services.message_pin(room=room, actor=association_staff, message=welcome, now=during)
    services.message_post(
        room=room,
        author=professional,
        body="Bonjour à toutes et à tous, je suis développeuse depuis six ans dans une PME de Saint-Denis.",
        client_id="demo-hello",
        now=during,
    )
    services.message_post(
        room=room, author=pupil, body="Bonjour ! Il faut être fort en maths ?", client_id="demo-pupil", now=during
    )
    question, _ = services.question_ask(
        room=room,
        author=pupil,
        body="Vous avez fait quelles études pour devenir développeuse ?",
        client_id="demo-question",
        now=during,
    )
    if question.status == QuestionStatus.PENDING:
        services.question_decide(question=question, actor=teacher, approve=True, now=during)
    if not Poll.objects.filter(room=room).exists():
        services.poll_open(
            room=room,
            actor=professional,
            question="Quel métier du numérique te tente le plus ?",
            options=["Développement", "Réseaux et cybersécurité", "Design", "Je ne sais pas encore"],
            now=during,
        )
    Question.objects.get_or_create(
        room=room,
        author=pupil,
        client_id="demo-waiting",
        defaults=dict(body="On peut faire un stage chez vous en 3e ?", status=QuestionStatus.PENDING),
    )
    return room.messages.count()
