"""Forms of the discovery-session pages. They check the shape of the input and turn local dates and times into UTC;
the rules (capacity, membership of the professionals, common times) live in `scheduling.session_services`."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import TIME_ZONES
from backend.offers.rules import iso_week
from backend.offers.taxonomy import domain_choices
from backend.organisations.models import Association
from backend.ui.forms import DsfrForm
from scheduling import session_selectors
from scheduling.enums import CapacityUnit, SessionMode, VideoProvider
from scheduling.forms import DateInput, TimeInput
from scheduling.session_services import SESSION_FIELDS, local_to_utc

DURATIONS = [(30, _("30 minutes")), (45, _("45 minutes")), (60, _("1 heure")), (90, _("1 h 30")), (120, _("2 heures"))]
WEEKDAY_CHOICES = [
    ("", _("— Choisir —")),
    (0, _("Lundi")),
    (1, _("Mardi")),
    (2, _("Mercredi")),
    (3, _("Jeudi")),
    (4, _("Vendredi")),
    (5, _("Samedi")),
]
WEEKDAY_NAMES = dict(WEEKDAY_CHOICES[1:]) | {6: _("Dimanche")}
RANGE_ROWS = 3
REQUEST_WEEKS_AHEAD = 16
MAX_PROPOSED_STARTS = 60


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.display_name


def sector_choices():
    return [("", _("— Aucun en particulier —")), *domain_choices()]


class SessionForm(DsfrForm):
    """A session's description; date and time are read in the chosen zone (the creator's by default)."""

    association = forms.ModelChoiceField(label=_("Association organisatrice"), queryset=Association.objects.none())
    title = forms.CharField(label=_("Thème"), max_length=160)
    description = forms.CharField(
        label=_("Présentation"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    sector = forms.ChoiceField(label=_("Domaine professionnel"), required=False, choices=sector_choices)
    host_organisation = forms.ModelChoiceField(
        label=_("Structure d'accueil"), queryset=session_selectors.confirmed_host_organisations()
    )
    professionals = PersonChoiceField(
        label=_("Professionnels"),
        queryset=session_selectors.organisation_members([]),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Des membres confirmés de la structure d'accueil."),
    )
    facilitators = PersonChoiceField(
        label=_("Animateurs de l'association"),
        queryset=session_selectors.association_staff([]),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TimeInput)
    duration_minutes = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=60)
    time_zone = forms.ChoiceField(label=_("Fuseau horaire de la date et de l'heure"), choices=TIME_ZONES)
    mode = forms.ChoiceField(
        label=_("Inscription"), choices=SessionMode.choices, widget=forms.RadioSelect, initial=SessionMode.CLASS
    )
    capacity = forms.IntegerField(label=_("Capacité"), min_value=1, max_value=500, initial=2)
    capacity_unit = forms.ChoiceField(
        label=_("Capacité comptée en"),
        choices=CapacityUnit.choices,
        widget=forms.RadioSelect,
        initial=CapacityUnit.CLASSES,
    )
    video_provider = forms.ChoiceField(label=_("Outil de visioconférence"), choices=VideoProvider.choices)
    video_url = forms.URLField(
        label=_("Lien de visioconférence"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Seules les personnes qui participent le voient."),
    )
    materials = forms.CharField(
        label=_("Supports"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Liens ou consignes pour préparer la séquence avec la classe."),
    )

    def __init__(self, *args, user, session=None, **kwargs):
        if session is not None:
            zone = zoneinfo.ZoneInfo(session.time_zone)
            local = session.starts_at.astimezone(zone)
            kwargs.setdefault(
                "initial",
                {
                    "association": session.association_id,
                    "title": session.title,
                    "description": session.description,
                    "sector": session.sector,
                    "host_organisation": session.host_organisation_id,
                    "professionals": [person.pk for person in session.professionals.all()],
                    "facilitators": [person.pk for person in session.facilitators.all()],
                    "date": local.date(),
                    "start_time": local.time(),
                    "duration_minutes": session.duration_minutes,
                    "time_zone": session.time_zone,
                    "mode": session.mode,
                    "capacity": session.capacity,
                    "capacity_unit": session.capacity_unit,
                    "video_provider": session.video_provider,
                    "video_url": session.video_url,
                    "materials": session.materials,
                },
            )
        super().__init__(*args, **kwargs)
        associations = session_selectors.staffed_associations(user)
        if session is not None:
            associations = Association.objects.filter(pk=session.association_id)
        self.fields["association"].queryset = associations
        if len(associations) == 1:
            self.fields["association"].initial = associations[0].pk
            self.fields["association"].widget = forms.HiddenInput()
        self.fields["time_zone"].initial = user.time_zone
        self.fields["professionals"].queryset = session_selectors.organisation_members(
            session_selectors.confirmed_host_organisations().values("pk")
        )
        self.fields["facilitators"].queryset = session_selectors.association_staff(associations.values("pk"))

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time") and data.get("time_zone"):
            try:
                data["starts_at"] = local_to_utc(data["date"], data["start_time"], data["time_zone"])
            except ValidationError as error:
                self.add_error("start_time", error)
        return data

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in SESSION_FIELDS}


class ReasonForm(DsfrForm):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Les personnes prévenues le liront."),
    )


class ClassBookingForm(DsfrForm):
    school_class = forms.ModelChoiceField(label=_("Classe"), queryset=None, empty_label=None)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].label_from_instance = lambda c: f"{c.name} — {c.school.name}"


class DecisionForm(DsfrForm):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirmer")), ("decline", _("Refuser"))])
    reason = forms.CharField(label=_("Motif du refus"), required=False, max_length=500)


class SessionFilterForm(DsfrForm):
    """The filters of the list of sessions, read from the query string."""

    sector = forms.ChoiceField(label=_("Domaine professionnel"), required=False, choices=sector_choices)
    mode = forms.ChoiceField(label=_("Inscription"), required=False, choices=[("", _("Toutes")), *SessionMode.choices])


# --- Requests -----------------------------------------------------------------------------------------------------


def upcoming_weeks(now=None) -> list[tuple[str, str]]:
    """The next ISO weeks a teacher can ask for, labelled with their Monday."""
    today = timezone.localdate(now or timezone.now())
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = []
    for n in range(1, REQUEST_WEEKS_AHEAD + 1):
        day = monday + datetime.timedelta(weeks=n)
        label = gettext("Semaine du %(date)s") % {"date": formats.date_format(day, "j F Y")}
        weeks.append((iso_week(day), f"{label} ({iso_week(day)})"))
    return weeks


class SessionRequestForm(DsfrForm):
    """A teacher's request: the class, the association, the theme, the weeks and when the class is free."""

    school_class = forms.ModelChoiceField(label=_("Classe"), queryset=None, empty_label=None)
    association = forms.ModelChoiceField(
        label=_("Association partenaire"),
        queryset=Association.objects.filter(memberships__role="staff", memberships__status="confirmed")
        .distinct()
        .order_by("name"),
    )
    theme = forms.CharField(
        label=_("Thème souhaité"), max_length=160, help_text=_("Par exemple : les métiers du soin.")
    )
    sector = forms.ChoiceField(label=_("Domaine professionnel"), required=False, choices=sector_choices)
    weeks = forms.MultipleChoiceField(
        label=_("Semaines possibles"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Jusqu'à 8 semaines."),
    )
    message = forms.CharField(
        label=_("Message à l'association"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["school_class"].label_from_instance = lambda c: f"{c.name} — {c.school.name}"
        self.fields["weeks"].choices = upcoming_weeks()
        for row in range(1, RANGE_ROWS + 1):
            required = row == 1
            self.fields[f"range_{row}_weekday"] = forms.TypedChoiceField(
                label=_("Jour"), choices=WEEKDAY_CHOICES, coerce=int, empty_value=None, required=required
            )
            self.fields[f"range_{row}_start"] = forms.TimeField(label=_("De"), widget=TimeInput, required=required)
            self.fields[f"range_{row}_end"] = forms.TimeField(label=_("À"), widget=TimeInput, required=required)

    def range_rows(self):
        """The time-range fields by row, for one fieldset each."""
        return [
            (row, [self[f"range_{row}_weekday"], self[f"range_{row}_start"], self[f"range_{row}_end"]])
            for row in range(1, RANGE_ROWS + 1)
        ]

    def main_fields(self):
        return [self[name] for name in ("school_class", "association", "theme", "sector", "weeks")]

    def clean(self):
        data = super().clean()
        ranges = []
        for row in range(1, RANGE_ROWS + 1):
            weekday, start, end = (data.get(f"range_{row}_{part}") for part in ("weekday", "start", "end"))
            if weekday is None and start is None and end is None:
                continue
            if weekday is None or start is None or end is None:
                self.add_error(f"range_{row}_weekday", gettext("Donnez le jour, l'heure de début et l'heure de fin."))
                continue
            if end <= start:
                self.add_error(f"range_{row}_end", gettext("La plage doit finir après son début."))
                continue
            ranges.append({"weekday": weekday, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
        data["time_ranges"] = ranges
        return data


class MatchForm(DsfrForm):
    """The association picks who would take part; the page then shows the common free times."""

    host_organisation = forms.ModelChoiceField(
        label=_("Structure d'accueil"), queryset=session_selectors.confirmed_host_organisations()
    )
    professionals = PersonChoiceField(
        label=_("Professionnels"),
        queryset=session_selectors.organisation_members([]),
        widget=forms.CheckboxSelectMultiple,
    )
    facilitators = PersonChoiceField(
        label=_("Animateurs de l'association"),
        queryset=session_selectors.association_staff([]),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    duration_minutes = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=60)

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professionals"].queryset = session_selectors.organisation_members(
            session_selectors.confirmed_host_organisations().values("pk")
        )
        self.fields["facilitators"].queryset = session_selectors.association_staff([association.pk])

    def clean(self):
        data = super().clean()
        organisation, professionals = data.get("host_organisation"), data.get("professionals")
        if organisation and professionals:
            members = set(organisation.memberships.filter(status="confirmed").values_list("user_id", flat=True))
            if any(person.pk not in members for person in professionals):
                self.add_error(
                    "professionals",
                    gettext("Choisissez des membres confirmés de la structure d'accueil choisie."),
                )
        return data


class ProposalForm(MatchForm):
    """The chosen start among the common times, with the link: the matching choices come back as hidden fields."""

    starts_at = forms.ChoiceField(label=_("Horaire proposé"), widget=forms.RadioSelect)
    video_provider = forms.ChoiceField(label=_("Outil de visioconférence"), choices=VideoProvider.choices)
    video_url = forms.URLField(label=_("Lien de visioconférence"), max_length=500, assume_scheme="https")
    description = forms.CharField(
        label=_("Présentation"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, starts, time_zone, **kwargs):
        super().__init__(*args, **kwargs)
        zone = zoneinfo.ZoneInfo(time_zone)
        self.fields["starts_at"].choices = [
            (moment.isoformat(), formats.date_format(moment.astimezone(zone), "l j F Y, H:i"))
            for moment in starts[:MAX_PROPOSED_STARTS]
        ]
        for name in ("professionals", "facilitators"):
            self.fields[name].widget = forms.MultipleHiddenInput()
        for name in ("host_organisation", "duration_minutes"):
            self.fields[name].widget = forms.HiddenInput()

    def clean_starts_at(self):
        return datetime.datetime.fromisoformat(self.cleaned_data["starts_at"])

    def visible_proposal_fields(self):
        return [self[name] for name in ("starts_at", "video_provider", "video_url", "description")]


# --- Availability for sessions ----------------------------------------------------------------------------------

RRULE_DAYS = [("MO", _("Lundi")), ("TU", _("Mardi")), ("WE", _("Mercredi")), ("TH", _("Jeudi")), ("FR", _("Vendredi"))]


class SessionAvailabilityForm(DsfrForm):
    """A weekly window when a professional or a facilitator is free for sessions, in her own zone."""

    weekdays = forms.MultipleChoiceField(label=_("Jours"), choices=RRULE_DAYS, widget=forms.CheckboxSelectMultiple)
    start_time = forms.TimeField(label=_("De"), widget=TimeInput)
    end_time = forms.TimeField(label=_("À"), widget=TimeInput)
    starts_on = forms.DateField(label=_("À partir du"), widget=DateInput)
    ends_on = forms.DateField(label=_("Jusqu'au"), widget=DateInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def rule_fields(self) -> dict:
        data = self.cleaned_data
        ordered = [code for code, _label in RRULE_DAYS if code in data["weekdays"]]
        return {
            "rrule": "FREQ=WEEKLY;BYDAY=" + ",".join(ordered),
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
        }


class DayOffForm(DsfrForm):
    date = forms.DateField(label=_("Jour d'indisponibilité"), widget=DateInput)
