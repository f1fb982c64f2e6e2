"""Explicit serializers of the tutoring API: open slots, bookings, availability rules.

Pupils appear by their display name (first name and initial) only; times are ISO 8601 in UTC.
"""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.accounts.enums import TIME_ZONES
from scheduling.enums import BookingStatus, SlotFormat, Topic
from scheduling.models import SLOT_MINUTES


class UtcDateTimeField(serializers.DateTimeField):
    """Always UTC ("Z"), whatever the caller's time zone: clients convert."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(**kwargs)


# --- Output --------------------------------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(help_text=_("Prénom et initiale du nom pour un élève."))


class OpenSlotSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Identifiant du créneau, à renvoyer pour le réserver."))
    tutor = ParticipantSerializer()
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    format = serializers.ChoiceField(choices=SlotFormat.choices)
    seats = serializers.IntegerField(help_text=_("Élèves au plus dans ce créneau."))
    seats_left = serializers.IntegerField(help_text=_("Places encore libres."))
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices))


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tutor = ParticipantSerializer(source="slot.tutor")
    pupil = ParticipantSerializer()
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    format = serializers.ChoiceField(choices=SlotFormat.choices, source="slot.format")
    topic = serializers.ChoiceField(choices=Topic.choices)
    message = serializers.CharField(help_text=_("Le mot de l'élève au tuteur."))
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    cancelled_at = UtcDateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    rescheduled_from = serializers.IntegerField(
        source="rescheduled_from_id", allow_null=True, help_text=_("La réservation déplacée vers celle-ci.")
    )
    created_at = UtcDateTimeField()


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rrule = serializers.CharField(help_text=_("Règle RFC 5545, par exemple FREQ=WEEKLY;BYDAY=MO,WE."))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    start_time = serializers.TimeField(format="%H:%M")
    end_time = serializers.TimeField(format="%H:%M")
    time_zone = serializers.ChoiceField(choices=TIME_ZONES)
    slot_minutes = serializers.ChoiceField(choices=SLOT_MINUTES)
    buffer_minutes = serializers.IntegerField()
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices))
    format = serializers.ChoiceField(choices=SlotFormat.choices)
    group_size = serializers.IntegerField()


# --- Input ---------------------------------------------------------------------------------------------------


class SlotFilterSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=Topic.choices, required=False)
    day = serializers.DateField(required=False, help_text=_("Un jour, dans le fuseau horaire de l'appelant."))


class BookingCreateSerializer(serializers.Serializer):
    slot = serializers.CharField(max_length=64, help_text=_("La clé d'un créneau libre (`key`)."))
    topic = serializers.ChoiceField(choices=Topic.choices)
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text=_("Transmis à l'autre personne et aux adultes référents.")
    )


class RescheduleSerializer(ReasonSerializer):
    slot = serializers.CharField(max_length=64, help_text=_("La clé d'un autre créneau libre du même tuteur."))


class RuleInputSerializer(serializers.Serializer):
    rrule = serializers.CharField(
        max_length=255, help_text=_("Hebdomadaire ou quotidienne, sans DTSTART ni UNTIL : FREQ=WEEKLY;BYDAY=WE.")
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    start_time = serializers.TimeField(help_text=_("Heure locale du fuseau de la règle."))
    end_time = serializers.TimeField()
    time_zone = serializers.ChoiceField(
        choices=TIME_ZONES, required=False, help_text=_("Par défaut, le fuseau des réglages du tuteur.")
    )
    slot_minutes = serializers.ChoiceField(choices=SLOT_MINUTES)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=120, default=0)
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices), allow_empty=False)
    format = serializers.ChoiceField(choices=SlotFormat.choices, default=SlotFormat.GROUP)
    group_size = serializers.IntegerField(min_value=1, max_value=30, default=1)
