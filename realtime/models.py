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

from realtime.enums import ModerationKind, RoomState

ROOM_OPENS_BEFORE = datetime.timedelta(minutes=15)


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
        """Cancelled or past: read-only; locked by a moderator; open from `opens_at` to the end."""
        now = now or timezone.now()
        if self.cancelled or now >= self.ends_at:
            return RoomState.CLOSED
        if now < self.opens_at:
            return RoomState.NOT_YET_OPEN
        if self.locked_at is not None:
            return RoomState.LOCKED
        return RoomState.OPEN


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
