"""Forms of the tutoring pages. They check the shape of the input; the rules (overlaps, notice, seats, cut-off)
live in `scheduling.rules` and `scheduling.services`."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole
from backend.organisations.models import Association
from backend.ui.forms import DsfrForm, DsfrModelForm
from scheduling import services
from scheduling.enums import ExceptionKind, SlotFormat, Topic
from scheduling.models import SLOT_MINUTES, AvailabilitySettings

WEEKDAYS = [
    ("MO", _("Lundi")),
    ("TU", _("Mardi")),
    ("WE", _("Mercredi")),
    ("TH", _("Jeudi")),
    ("FR", _("Vendredi")),
    ("SA", _("Samedi")),
    ("SU", _("Dimanche")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]
SIMPLE_WEEKLY = re.compile(r"^FREQ=WEEKLY;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)$")
REASON_MAX = 500
MESSAGE_MAX = 1000
BUFFER_CHOICES = [
    (0, _("Aucune")),
    (5, _("5 minutes")),
    (10, _("10 minutes")),
    (15, _("15 minutes")),
    (30, _("30 minutes")),
]


def weekdays_of(rrule: str) -> list[str] | None:
    """The weekdays of a plain weekly rule ("FREQ=WEEKLY;BYDAY=MO,WE"), or None for anything more elaborate."""
    match = SIMPLE_WEEKLY.match((rrule or "").strip().upper())
    return match.group(1).split(",") if match else None


def topic_label(code: str) -> str:
    try:
        return str(Topic(code).label)
    except ValueError:
        return code


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class AvailabilitySettingsForm(DsfrModelForm):
    """What applies to all of a tutor's slots."""

    class Meta:
        model = AvailabilitySettings
        fields = list(services.SETTINGS_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_notice_hours"].widget.attrs.update(min=0, max=24 * 14)
        self.fields["horizon_days"].widget.attrs.update(min=1, max=90)
        self.fields["max_per_day"].help_text = gettext("Laissez vide pour ne pas fixer de limite.")
        self.fields["max_per_week"].help_text = gettext("Laissez vide pour ne pas fixer de limite.")
        self.fields["school_zone"].help_text = gettext(
            "Utile seulement si vous excluez les vacances scolaires. Vide : la zone de votre fuseau horaire."
        )
        self.fields["association"].queryset = Association.objects.filter(
            memberships__user=user,
            memberships__role=AssociationRole.TUTOR,
            memberships__status=MembershipStatus.CONFIRMED,
        ).distinct()
        self.fields["association"].help_text = gettext(
            "Son équipe voit vos rendez-vous avec les élèves, comme leurs professeurs."
        )

    def clean_min_notice_hours(self):
        value = self.cleaned_data["min_notice_hours"]
        if value > 24 * 14:
            raise ValidationError(gettext("Le délai de prévenance ne peut pas dépasser 14 jours (336 heures)."))
        return value

    def clean_horizon_days(self):
        value = self.cleaned_data["horizon_days"]
        if not 1 <= value <= 90:
            raise ValidationError(gettext("L'horizon de réservation va de 1 à 90 jours."))
        return value


class _WindowFields(DsfrForm):
    """Times, slot length, pause, topics and format: shared by rules and extra windows."""

    start_time = forms.TimeField(label=_("De"), widget=TimeInput, help_text=_("Heure locale, par exemple 14:00."))
    end_time = forms.TimeField(label=_("À"), widget=TimeInput, help_text=_("Heure locale, par exemple 17:00."))
    slot_minutes = forms.TypedChoiceField(
        label=_("Durée d'un créneau"), choices=SLOT_MINUTES, coerce=int, initial=45, widget=forms.RadioSelect
    )
    buffer_minutes = forms.TypedChoiceField(
        label=_("Pause entre deux créneaux"), choices=BUFFER_CHOICES, coerce=int, initial=0
    )
    topics = forms.MultipleChoiceField(
        label=_("Thèmes proposés"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un thème.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SlotFormat.choices,
        initial=SlotFormat.GROUP,
        widget=forms.RadioSelect,
        help_text=_("Les créneaux individuels demandent une attestation d'honorabilité en cours de validité."),
    )
    group_size = forms.IntegerField(
        label=_("Élèves au plus par créneau"),
        min_value=1,
        max_value=30,
        initial=3,
        help_text=_("Pour un petit groupe, de 2 à 30 ; un créneau individuel accueille un seul élève."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", gettext("L'heure de fin doit venir après l'heure de début."))
        if cleaned.get("format") == SlotFormat.ONE_TO_ONE:
            cleaned["group_size"] = 1
        return cleaned


class RuleForm(_WindowFields):
    """A weekly window: weekdays, times and dates, or an RRULE written by hand ("advanced")."""

    weekdays = forms.MultipleChoiceField(
        label=_("Jours de la semaine"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )
    starts_on = forms.DateField(label=_("À partir du"), widget=DateInput)
    ends_on = forms.DateField(label=_("Jusqu'au"), widget=DateInput, required=False)
    advanced_rrule = forms.CharField(
        label=_("Récurrence avancée (RRULE)"),
        required=False,
        max_length=255,
        help_text=_(
            "Facultatif : une règle RFC 5545 qui remplace les jours cochés, par exemple "
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU (un mardi sur deux). Les dates viennent des champs ci-dessus."
        ),
    )

    field_order = [
        "weekdays",
        "start_time",
        "end_time",
        "starts_on",
        "ends_on",
        "slot_minutes",
        "buffer_minutes",
        "topics",
        "format",
        "group_size",
        "advanced_rrule",
    ]

    @classmethod
    def initial_for(cls, rule) -> dict:
        weekdays = weekdays_of(rule.rrule)
        return {
            "weekdays": weekdays or [],
            "advanced_rrule": "" if weekdays else rule.rrule,
            "start_time": rule.start_time,
            "end_time": rule.end_time,
            "starts_on": rule.starts_on,
            "ends_on": rule.ends_on,
            "slot_minutes": rule.slot_minutes,
            "buffer_minutes": rule.buffer_minutes,
            "topics": rule.topics,
            "format": rule.format,
            "group_size": rule.group_size,
        }

    def clean(self):
        cleaned = super().clean()
        advanced = (cleaned.get("advanced_rrule") or "").strip()
        weekdays = cleaned.get("weekdays") or []
        if advanced:
            from scheduling import rules  # H1's parser: weekly or daily, no DTSTART/UNTIL inside

            try:
                cleaned["rrule"] = rules.parse_rrule(advanced)
            except ValidationError as error:
                self.add_error("advanced_rrule", error)
        elif weekdays:
            ordered = [code for code in WEEKDAY_CODES if code in weekdays]
            cleaned["rrule"] = "FREQ=WEEKLY;BYDAY=" + ",".join(ordered)
        else:
            self.add_error("weekdays", gettext("Cochez au moins un jour, ou écrivez une récurrence avancée."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", gettext("La date de fin doit venir après la date de début."))
        return cleaned

    def service_aliases(self) -> dict:
        """Where a service's error about the RRULE goes: the field it came from."""
        return {"rrule": "advanced_rrule" if self.cleaned_data.get("advanced_rrule") else "weekdays"}

    def service_fields(self) -> dict:
        """What `services.rule_create` / `rule_update` take."""
        data = self.cleaned_data
        return {
            "rrule": data["rrule"],
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "slot_minutes": data["slot_minutes"],
            "buffer_minutes": data["buffer_minutes"],
            "topics": list(data["topics"]),
            "format": data["format"],
            "group_size": data["group_size"],
        }


class ExceptionForm(_WindowFields):
    """A day (or part of it) off, or an extra window on one date."""

    kind = forms.ChoiceField(
        label=_("Type d'exception"), choices=ExceptionKind.choices, widget=forms.RadioSelect, initial="unavailable"
    )
    date = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Note pour vous"), required=False, max_length=200)

    field_order = [
        "kind",
        "date",
        "start_time",
        "end_time",
        "slot_minutes",
        "buffer_minutes",
        "topics",
        "format",
        "group_size",
        "note",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_time", "end_time"):
            self.fields[name].required = False
        self.fields["start_time"].help_text = gettext(
            "Heure locale. Pour une journée entière d'indisponibilité, laissez les heures vides."
        )
        self.fields["topics"].required = False
        self.fields["topics"].help_text = gettext("Pour une disponibilité supplémentaire seulement.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if bool(start) != bool(end):
            self.add_error(
                "end_time" if start else "start_time",
                gettext("Indiquez l'heure de début et l'heure de fin, ou aucune des deux."),
            )
        if cleaned.get("kind") == ExceptionKind.EXTRA:
            if not start and not end and not self.has_error("start_time"):
                self.add_error("start_time", gettext("Une disponibilité supplémentaire a des heures."))
            if not cleaned.get("topics") and not self.has_error("topics"):
                self.add_error("topics", gettext("Choisissez au moins un thème."))
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "date": data["date"],
            "start_time": data.get("start_time"),
            "end_time": data.get("end_time"),
            "slot_minutes": data["slot_minutes"],
            "buffer_minutes": data["buffer_minutes"],
            "topics": list(data.get("topics") or []),
            "format": data["format"],
            "group_size": data["group_size"],
            "note": data.get("note", ""),
        }


class SlotFilterForm(DsfrForm):
    """The pupil's search: a topic, a day (in her time zone)."""

    topic = forms.ChoiceField(label=_("Thème"), required=False, choices=[("", _("Tous les thèmes")), *Topic.choices])
    day = forms.DateField(label=_("Jour"), required=False, widget=DateInput)


class BookForm(DsfrForm):
    """What the pupil tells the tutor when she books."""

    topic = forms.ChoiceField(label=_("De quoi veux-tu parler ?"), widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Un mot pour ton tuteur"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Facultatif, %(max)s caractères au plus. Tes professeurs peuvent le lire. "
            "N'écris ni ton adresse ni ton numéro de téléphone."
        )
        % {"max": MESSAGE_MAX},
    )

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(code, topic_label(code)) for code in topics]
        if len(topics) == 1:
            self.fields["topic"].initial = topics[0]


class ReasonForm(DsfrForm):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Il est transmis à l'autre personne et aux adultes qui suivent le rendez-vous."),
        error_messages={"required": _("Indiquez un motif.")},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(gettext("Indiquez un motif."))
        return reason


class RescheduleForm(ReasonForm):
    """Another open slot of the same tutor, and why."""

    slot = forms.ChoiceField(label=_("Nouveau créneau"), widget=forms.RadioSelect)

    field_order = ["slot", "reason"]

    def __init__(self, *args, slots: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {slot.key: slot for slot in slots}
        self.fields["slot"].choices = [(slot.key, slot_label(slot)) for slot in slots]
        self.fields["slot"].error_messages["required"] = gettext("Choisissez un nouveau créneau.")
        self.fields["slot"].error_messages["invalid_choice"] = gettext(
            "Ce créneau n'est plus libre : choisissez-en un autre."
        )

    def chosen(self):
        return self.slots[self.cleaned_data["slot"]]


def slot_label(slot) -> str:
    """A slot as a sentence in the current time zone: « mercredi 3 mars, 14:00–14:45 »."""
    from django.utils import timezone
    from django.utils.formats import date_format

    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    return gettext("%(day)s, %(start)s–%(end)s") % {
        "day": date_format(start, "l j F Y"),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
    }
