"""Live rooms: one per remote discovery session and per tutoring booking, with their messages and moderation log.

A room opens `ROOM_OPENS_BEFORE` before its session or booking starts and becomes read-only when it ends. Messages
carry a per-room sequence number handed out under a row lock of the room (`Room.next_seq`, see
`realtime.services.message_post`): clients resume from the last number they saw and notice any gap. A message
resent with the same `client_id` by the same author is stored once.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from realtime.enums import ModerationKind, QuestionStatus, ReportResolution, RoomState

ROOM_OPENS_BEFORE = datetime.timedelta(minutes=15)


def room_state(
    *, starts_at: datetime.datetime, ends_at: datetime.datetime, cancelled: bool, locked: bool, now: datetime.datetime
) -> RoomState:
    """Cancelled or past: read-only; locked by a moderator; open from `ROOM_OPENS_BEFORE` the start to the end. Also
    for a session or booking whose room was not created yet."""
    if cancelled or now >= ends_at:
        return RoomState.CLOSED
    if now < starts_at - ROOM_OPENS_BEFORE:
        return RoomState.NOT_YET_OPEN
    return RoomState.LOCKED if locked else RoomState.OPEN


class Room(models.Model):
    session = models.OneToOneField(
        "scheduling.DiscoverySession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="room",
        verbose_name=_("séquence de découverte"),
    )
    booking = models.OneToOneField(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="room",
        verbose_name=_("réservation de tutorat"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    locked_at = models.DateTimeField(_("verrouillé le"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verrouillé par"),
    )
    # The sequence number the next message will take; only `message_post` moves it, under a row lock.
    next_seq = models.PositiveBigIntegerField(_("prochain numéro de message"), default=1)
    # Pupils' questions wait for a facilitator's or a teacher's approval before the speakers and the class see them.
    questions_premoderated = models.BooleanField(_("questions validées avant publication"), default=True)
    pinned_message = models.ForeignKey(
        "Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message épinglé"),
    )

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False) & Q(booking__isnull=True))
                | (Q(session__isnull=True) & Q(booking__isnull=False)),
                name="realtime_room_one_owner",
            ),
            models.CheckConstraint(condition=Q(next_seq__gte=1), name="realtime_room_next_seq_positive"),
        ]

    def __str__(self):
        return str(self.session or self.booking)

    @property
    def starts_at(self) -> datetime.datetime:
        return (self.session or self.booking).starts_at

    @property
    def ends_at(self) -> datetime.datetime:
        return (self.session or self.booking).ends_at

    @property
    def opens_at(self) -> datetime.datetime:
        return self.starts_at - ROOM_OPENS_BEFORE

    @property
    def cancelled(self) -> bool:
        from scheduling.enums import BookingStatus, SessionStatus

        if self.session_id:
            return self.session.status == SessionStatus.CANCELLED
        return self.booking.status == BookingStatus.CANCELLED

    def state(self, now: datetime.datetime | None = None) -> RoomState:
        return room_state(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            cancelled=self.cancelled,
            locked=self.locked_at is not None,
            now=now or timezone.now(),
        )


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages", verbose_name=_("salon"))
    seq = models.PositiveBigIntegerField(_("numéro"))
    # A departed account leaves its messages in place (shown without a name), so that the sequence stays whole.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="room_messages",
        verbose_name=_("auteur"),
    )
    body = models.TextField(_("message"))
    client_id = models.CharField(_("identifiant donné par le navigateur"), max_length=64)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supprimé par"),
    )
    # The kinds of contact details masked in `body` (values of `realtime.enums.MaskedKind`).
    masked = models.JSONField(_("coordonnées masquées"), default=list, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="realtime_message_seq_unique"),
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="realtime_message_client_id_once"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="realtime_message_seq_positive"),
            models.CheckConstraint(condition=~Q(client_id=""), name="realtime_message_client_id_given"),
        ]

    def __str__(self):
        return f"{self.room_id} #{self.seq}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ModerationAction(models.Model):
    """Who did what, when, to which message or participant, and why: the moderation log."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="moderation_actions", verbose_name=_("salon")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("modérateur ou modératrice"),
    )
    action = models.CharField(_("action"), max_length=16, choices=ModerationKind.choices)
    target_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("message visé"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant visé"),
    )
    target_question = models.ForeignKey(
        "Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question visée"),
    )
    reason = models.CharField(_("motif"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("action de modération")
        verbose_name_plural = _("actions de modération")
        ordering = ["room", "created_at", "pk"]
        indexes = [models.Index(fields=["room", "target_user", "created_at"], name="realtime_moderation_target")]

    def __str__(self):
        return f"{self.room_id} · {self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class FilteredWord(models.Model):
    """A word or phrase masked in pupils' messages, next to contact details; the list is edited by platform staff
    in the admin (accents and case do not matter)."""

    word = models.CharField(_("mot ou expression"), max_length=80, unique=True)
    note = models.CharField(_("pourquoi"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("mot filtré")
        verbose_name_plural = _("mots filtrés")
        ordering = ["word"]

    def __str__(self):
        return self.word


# --- Live session tools --------------------------------------------------------------------------------------------


class Presence(models.Model):
    """One open WebSocket in a room (a person may have several: a phone and a school PC). Rows of a process that
    died go stale: who is here counts only connections seen within `PRESENCE_TTL` (clients ping every 25 s)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=16)
    joined_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        indexes = [models.Index(fields=["room", "user"], name="realtime_presence_room_user")]

    def __str__(self):
        return f"{self.room_id} · {self.user_id}"


PRESENCE_TTL = datetime.timedelta(seconds=90)


class RaisedHand(models.Model):
    """A hand raised in a room, until its owner or a moderator lowers it (the row is deleted then)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="raised_hands")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("main levée")
        verbose_name_plural = _("mains levées")
        ordering = ["room", "raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="realtime_hand_once")]

    def __str__(self):
        return f"{self.room_id} ✋ {self.user_id}"


class Question(models.Model):
    """A question to the professional (or tutor). In a room with pre-moderation it waits until a facilitator or a
    teacher approves it; only then do the speakers and the class see it."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="questions", verbose_name=_("salon"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("auteur")
    )
    body = models.TextField(_("question"))
    client_id = models.CharField(_("identifiant donné par le navigateur"), max_length=64)
    masked = models.JSONField(_("coordonnées masquées"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=QuestionStatus.choices)
    created_at = models.DateTimeField(_("posée le"), default=timezone.now)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["room", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["room", "author", "client_id"], name="realtime_question_client_id_once"),
            models.CheckConstraint(condition=~Q(client_id=""), name="realtime_question_client_id_given"),
        ]

    def __str__(self):
        return f"{self.room_id} ? {self.body[:40]}"


class Poll(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="polls", verbose_name=_("salon"))
    question = models.CharField(_("question"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("ouvert le"), default=timezone.now)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    class Meta:
        verbose_name = _("sondage")
        verbose_name_plural = _("sondages")
        ordering = ["room", "created_at", "pk"]

    def __str__(self):
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("réponse proposée"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("réponse proposée")
        verbose_name_plural = _("réponses proposées")
        ordering = ["poll", "position", "pk"]

    def __str__(self):
        return self.label


class PollVote(models.Model):
    """One vote per person and poll; voting again while the poll is open changes the answer."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="realtime_vote_once")]

    def __str__(self):
        return f"{self.poll_id} · {self.option_id}"


class Report(models.Model):
    """A participant's report of a message, for the moderation queue of the association's staff and the class's
    teachers (`realtime.selectors.reports_for`). One report per person and message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("message"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("signalé par")
    )
    reason = models.CharField(_("motif"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )
    resolution = models.CharField(_("suite donnée"), max_length=16, choices=ReportResolution.choices, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="realtime_report_once")]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="realtime_report_queue")]

    def __str__(self):
        return f"{self.message} · {self.created_at:%Y-%m-%d %H:%M}"
