"""Forms of the posting steps, of the moderation and of reports. They check what a person typed and give the
services clean values; the services keep the rules about offers (states, weeks and seats, completeness)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.geo.forms import CommuneField
from backend.offers import rules, taxonomy
from backend.offers.enums import OfferFormat, ReportDecision, ReportReason, Reservation, Track
from backend.offers.selectors import association_partner_organisations, employer_organisations, staffed_associations
from backend.organisations.enums import Sector
from backend.organisations.forms import OrganisationJoinForm
from backend.schools.models import School
from backend.schools.validators import normalise_uai
from backend.ui.forms import DsfrForm

# The steps of the posting form, in order: (slug in the URL, title).
STEPS = [
    ("metier", gettext_lazy("Le métier")),
    ("lieu", gettext_lazy("Le lieu et le type de stage")),
    ("semaines", gettext_lazy("Les semaines et les horaires")),
    ("public", gettext_lazy("Le public et l'envoi")),
]
STEP_SLUGS = [slug for slug, _title in STEPS]
NEW_ORGANISATION = "new"


class JobForm(DsfrForm):
    """Step 1: what the pupil will discover."""

    title = forms.CharField(
        label=gettext_lazy("Titre de l'offre"),
        max_length=150,
        help_text=gettext_lazy("Ce que les élèves liront d'abord, par exemple : Découvrir le métier de boulangère."),
    )
    sector = forms.ChoiceField(label=gettext_lazy("Secteur"), choices=[("", "—"), *Sector.choices])
    domain = forms.ChoiceField(
        label=gettext_lazy("Domaine professionnel"),
        help_text=gettext_lazy("Les domaines du répertoire ROME de France Travail, rangés par secteur."),
    )
    job_title = forms.CharField(
        label=gettext_lazy("Métier"),
        max_length=150,
        help_text=gettext_lazy("Par exemple : Électricien ou électricienne."),
    )
    rome_code = forms.CharField(
        label=gettext_lazy("Code ROME du métier"),
        max_length=5,
        required=False,
        help_text=gettext_lazy("Une lettre et 4 chiffres, par exemple F1602."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Ce que l'élève verra et fera pendant le stage, qui l'accueillera, comment venir."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "—"), *taxonomy.domain_choices()]

    def clean_rome_code(self):
        code = self.cleaned_data["rome_code"].strip().upper()
        rules.validate_rome_code(code)
        return code

    def clean(self):
        cleaned = super().clean()
        domain, sector = cleaned.get("domain"), cleaned.get("sector")
        if domain and sector:
            try:
                taxonomy.validate_domain(domain, sector)
            except ValidationError as error:
                self.add_error("domain", error)
        return cleaned

    def offer_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in JobForm.base_fields}


class NewOrganisationForm(OrganisationJoinForm):
    """The host organisation an association posts for, found by its SIRET or created (the organisations app's
    sign-up form, without the person's role: she does not join it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]
        self.fields["name"].required = False
        self.fields["kind"].required = False
        self.fields["sector"].required = False
        self.fields["sector"].choices = [("", "—"), *Sector.choices]
        self.fields["siret"].help_text = _(
            "14 chiffres. Si la structure est déjà inscrite sur Passerelle, elle est reprise telle quelle."
        )

    def clean(self):
        cleaned = super().clean()
        for name in ("name", "kind", "sector"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Ce champ est obligatoire pour inscrire une nouvelle structure."))
        return cleaned


class OfferStartForm(JobForm):
    """Step 1 of a new offer: for whom it is posted, then the job."""

    field_order = ["association", "organisation"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.own_organisations = list(employer_organisations(user))
        self.associations = list(staffed_associations(user))
        choices = []
        if self.own_organisations:
            choices.append((_("Mes structures"), [(str(org.pk), org.name) for org in self.own_organisations]))
        if self.associations:
            partners = [org for org in association_partner_organisations(self.associations)]
            if partners:
                choices.append(
                    (_("Structures déjà accompagnées par mon association"), [(str(o.pk), o.name) for o in partners])
                )
            choices.append((NEW_ORGANISATION, _("Une autre structure (je saisis son numéro SIRET ci-dessous)")))
        self.organisation_choices = {
            str(org.pk): org
            for org in [*self.own_organisations, *(association_partner_organisations(self.associations))]
        }
        self.fields["organisation"] = forms.ChoiceField(
            label=_("Structure d'accueil"),
            choices=choices,
            help_text=_("La structure qui accueille les élèves."),
        )
        if self.associations:
            self.fields["association"] = forms.ModelChoiceField(
                label=_("Publiée par l'association"),
                queryset=staffed_associations(user),
                required=not self.own_organisations,
                empty_label=_("Aucune : je publie pour ma structure") if self.own_organisations else None,
                help_text=_("Pour une structure que votre association accompagne."),
            )
        self.order_fields(["association", "organisation", *JobForm.base_fields])
        # Bound only when chosen: otherwise its empty fields would show errors nobody needs to fix.
        self.new_organisation = NewOrganisationForm(
            self.data if self.wants_new_organisation else None, prefix="structure", use_required_attribute=False
        )

    @property
    def wants_new_organisation(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("organisation")) == NEW_ORGANISATION

    def clean(self):
        cleaned = super().clean()
        choice, association = cleaned.get("organisation"), cleaned.get("association")
        if choice == NEW_ORGANISATION:
            if not self.associations:
                self.add_error("organisation", _("Choisissez une de vos structures."))
            elif association is None:
                self.add_error("association", _("Choisissez l'association qui publie l'offre pour cette structure."))
            if not self.new_organisation.is_valid():
                self.add_error(None, _("Complétez les informations de la nouvelle structure d'accueil."))
        elif choice:
            organisation = self.organisation_choices.get(choice)
            if organisation is None:
                self.add_error("organisation", _("Choisissez une structure dans la liste."))
            elif organisation not in self.own_organisations and association is None:
                self.add_error("association", _("Choisissez l'association qui publie l'offre pour cette structure."))
            cleaned["organisation_object"] = organisation
        return cleaned


class PlaceForm(DsfrForm):
    """Step 2: the kind of internship and where it happens."""

    track = forms.ChoiceField(label=gettext_lazy("Type de stage"), choices=Track.choices, widget=forms.RadioSelect)
    specialties = forms.CharField(
        label=gettext_lazy("Spécialités de lycée professionnel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Pour une PFMP : les spécialités préparées par les élèves que vous accueillez, une par ligne."
        ),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=OfferFormat.choices, widget=forms.RadioSelect)
    address = forms.CharField(
        label=gettext_lazy("Adresse"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        help_text=gettext_lazy("Numéro et rue où l'élève se présente."),
    )
    commune = CommuneField(
        label=gettext_lazy("Commune"),
        required=False,
        help_text=gettext_lazy("Sauf pour un stage à distance. Tapez le nom de la commune ou son code postal."),
    )

    def clean_specialties(self):
        return [line.strip() for line in self.cleaned_data["specialties"].splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("track") == Track.PFMP and not cleaned.get("specialties") and "specialties" not in self.errors:
            self.add_error("specialties", _("Indiquez au moins une spécialité pour une PFMP."))
        if cleaned.get("track") == Track.OBSERVATION_3E:
            cleaned["specialties"] = []
        if (
            cleaned.get("format") in (OfferFormat.ON_SITE, OfferFormat.HYBRID)
            and not cleaned.get("commune")
            and "commune" not in self.errors
        ):
            self.add_error("commune", _("Indiquez la commune où se déroule le stage."))
        if cleaned.get("format") == OfferFormat.REMOTE:
            cleaned["commune"] = None
            cleaned["address"] = ""
        return cleaned

    def offer_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PlaceForm.base_fields}


class AriaErrorsMixin:
    """Fields in error say so to assistive technologies and name their messages (rendered under the id
    `<auto_id>_error` by the templates that lay these fields out by hand)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described_by = [part for part in attrs.get("aria-describedby", "").split() if part]
                error_id = f"{self[name].auto_id}_error"
                attrs.update(
                    {"aria-invalid": "true", "aria-describedby": " ".join([*described_by, error_id])}
                    if error_id not in described_by
                    else {"aria-invalid": "true"}
                )


class WeekRowForm(AriaErrorsMixin, forms.Form):
    """One row of the weeks: an ISO week and its seats."""

    week = forms.CharField(
        label=gettext_lazy("Semaine"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "fr-input", "type": "week", "placeholder": "2027-W03"}),
    )
    seats = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        min_value=0,
        max_value=500,
        widget=forms.NumberInput(attrs={"class": "fr-input", "min": 0, "inputmode": "numeric"}),
        error_messages={"min_value": gettext_lazy("Le nombre de places ne peut pas être négatif.")},
    )

    def clean(self):
        cleaned = super().clean()
        week, seats = cleaned.get("week"), cleaned.get("seats")
        if week:
            try:
                cleaned["week_start"] = rules.parse_iso_week(week)
            except ValidationError as error:
                self.add_error("week", error)
            if seats is None and "seats" not in self.errors:
                self.add_error("seats", _("Indiquez le nombre de places de cette semaine (0 pour la fermer)."))
        elif seats is not None:
            self.add_error("week", _("Indiquez la semaine de ces places."))
        return cleaned


class BaseWeekFormSet(forms.BaseFormSet):
    def weeks(self) -> list:
        """(Monday, seats) of the filled rows."""
        return [
            (form.cleaned_data["week_start"], form.cleaned_data["seats"])
            for form in self.forms
            if form.cleaned_data.get("week_start")
        ]


WeekFormSet = forms.formset_factory(WeekRowForm, formset=BaseWeekFormSet, extra=0, max_num=60, absolute_max=60)
WEEK_ROWS_ADDED = 3  # empty rows offered, and added by "Ajouter des semaines"

DAYS = [1, 2, 3, 4, 5, 6]
PARTS = [("am", gettext_lazy("matin")), ("pm", gettext_lazy("après-midi"))]


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"],
        widget=forms.TimeInput(attrs={"type": "time", "class": "fr-input"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("Écrivez l'heure comme 09:30.")},
    )


class ScheduleForm(AriaErrorsMixin, forms.Form):
    """Step 3: pupils per group and the daily schedule, a morning and an afternoon range for each day from
    Monday to Saturday. The law's limits (`rules.validate_schedule`) come back as this form's errors."""

    group_size = forms.IntegerField(
        label=gettext_lazy("Élèves accueillis ensemble"),
        min_value=1,
        max_value=50,
        initial=1,
        help_text=gettext_lazy("Combien d'élèves par groupe, la même semaine."),
        widget=forms.NumberInput(attrs={"class": "fr-input", "min": 1, "inputmode": "numeric"}),
    )

    def __init__(self, *args, track: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.track = track
        self.fields["group_size"].widget.attrs["aria-describedby"] = f"{self['group_size'].auto_id}_helptext"
        for day in DAYS:
            for part, part_label in PARTS:
                for bound, bound_label in (("start", _("début")), ("end", _("fin"))):
                    label = f"{rules.WEEKDAYS[day]}, {part_label} : {bound_label}".capitalize()
                    self.fields[f"d{day}_{part}_{bound}"] = _time_field(label)

    @classmethod
    def initial_from(cls, schedule: dict, group_size: int) -> dict:
        initial = {"group_size": group_size}
        for day, ranges in (schedule or {}).items():
            for (part, _label), pair in zip(PARTS, ranges, strict=False):
                initial[f"d{day}_{part}_start"], initial[f"d{day}_{part}_end"] = pair
        return initial

    def days(self):
        """Rows for the template: (day name, [(part label, start field, end field)])."""
        return [
            (
                str(rules.WEEKDAYS[day]).capitalize(),
                [(label, self[f"d{day}_{part}_start"], self[f"d{day}_{part}_end"]) for part, label in PARTS],
            )
            for day in DAYS
        ]

    def clean(self):
        cleaned = super().clean()
        schedule = {}
        for day in DAYS:
            ranges = []
            for part, part_label in PARTS:
                start, end = cleaned.get(f"d{day}_{part}_start"), cleaned.get(f"d{day}_{part}_end")
                if start and end:
                    ranges.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
                elif start or end:
                    self.add_error(
                        f"d{day}_{part}_{'end' if start else 'start'}",
                        _("Le %(day)s %(part)s : indiquez l'heure de début et l'heure de fin.")
                        % {"day": rules.WEEKDAYS[day], "part": part_label},
                    )
            if ranges:
                schedule[str(day)] = ranges
        if not any(name.startswith("d") for name in self.errors):
            try:
                cleaned["schedule"] = rules.validate_schedule(schedule, self.track)
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(None, message)
        return cleaned


class SchoolsField(forms.CharField):
    """Schools named one per line, by UAI or by name; the cleaned value is a list of School."""

    widget = forms.Textarea(attrs={"rows": 4})
    UAI_IN_TEXT = re.compile(r"\b(\d{7}[A-Za-z])\b")

    def clean(self, value):
        text = super().clean(value)
        schools, errors = [], []
        for line in (line.strip() for line in text.splitlines()):
            if not line:
                continue
            match = self.UAI_IN_TEXT.search(line)
            if match:
                school = School.objects.filter(uai=normalise_uai(match[1])).first()
                if school is None:
                    errors.append(_("Aucun établissement n'a le numéro UAI %(uai)s.") % {"uai": match[1].upper()})
                elif school not in schools:
                    schools.append(school)
                continue
            found = list(School.objects.filter(name__icontains=line).select_related("commune")[:6])
            exact = [school for school in found if school.name.casefold() == line.casefold()]
            if len(exact) == 1 or len(found) == 1:
                school = (exact or found)[0]
                if school not in schools:
                    schools.append(school)
            elif not found:
                errors.append(
                    _("Aucun établissement ne s'appelle « %(name)s » : vérifiez le nom ou indiquez son numéro UAI.")
                    % {"name": line}
                )
            else:
                errors.append(
                    _("Plusieurs établissements correspondent à « %(name)s » : %(choices)s. Indiquez son numéro UAI.")
                    % {
                        "name": line,
                        "choices": ", ".join(f"{school} — {school.commune.name}" for school in found[:5]),
                    }
                )
        if errors:
            raise ValidationError(errors)
        return schools

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(school) for school in value)
        return value


class AudienceForm(DsfrForm):
    """Step 4: which pupils the offer is for."""

    reservation = forms.ChoiceField(
        label=gettext_lazy("Élèves à qui l'offre est proposée"), choices=Reservation.choices, widget=forms.RadioSelect
    )
    reserved_schools = SchoolsField(
        label=gettext_lazy("Établissements choisis"),
        required=False,
        help_text=gettext_lazy(
            "Si l'offre est réservée à des établissements : un par ligne, avec son numéro UAI (par exemple "
            "0930123A) ou son nom."
        ),
    )
    disability_friendly = forms.BooleanField(
        label=gettext_lazy("Accessible aux élèves en situation de handicap"),
        required=False,
        help_text=gettext_lazy("Locaux accessibles et accueil adapté."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reservation") == Reservation.SCHOOLS:
            if not cleaned.get("reserved_schools") and "reserved_schools" not in self.errors:
                self.add_error("reserved_schools", _("Indiquez au moins un établissement."))
        elif "reservation" in cleaned:
            cleaned["reserved_schools"] = []
        return cleaned

    def offer_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in AudienceForm.base_fields}


class ReportForm(DsfrForm):
    reason = forms.ChoiceField(
        label=gettext_lazy("Pourquoi signalez-vous cette offre ?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
    )
    detail = forms.CharField(
        label=gettext_lazy("Précisions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Obligatoire pour « Autre raison ». N'écrivez pas de données personnelles."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ReportReason.OTHER and not cleaned.get("detail", "").strip():
            self.add_error("detail", _("Précisez la raison de votre signalement."))
        return cleaned


class ModerationForm(DsfrForm):
    action = forms.ChoiceField(
        label=gettext_lazy("Décision"),
        choices=[("publish", gettext_lazy("Publier")), ("reject", gettext_lazy("Renvoyer en brouillon"))],
    )
    note = forms.CharField(
        label=gettext_lazy("Message à la structure"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire pour renvoyer l'offre en brouillon : ce qu'il faut modifier."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Expliquez à la structure ce qu'elle doit modifier."))
        return cleaned


class ReportDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=ReportDecision.choices)
