from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import TIME_ZONES
from backend.accounts.forms import PasswordsMixin, password_fields
from backend.accounts.models import PupilProfile
from backend.schools.enums import LYCEE_PRO_LEVELS, Level, StaffRole, levels_taught
from backend.schools.models import School
from backend.schools.services import current_school_year
from backend.schools.validators import normalise_uai, validate_uai
from backend.ui.forms import DsfrForm


class JoinCodeForm(DsfrForm):
    code = forms.CharField(
        label=_("Code de ta classe"),
        max_length=20,
        help_text=_("8 caractères, donnés par ton professeur. Par exemple : K7MP3QXA"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class PupilJoinForm(PasswordsMixin, DsfrForm):
    first_name = forms.CharField(
        label=_("Ton prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Ton nom"),
        max_length=150,
        help_text=_(
            "Seuls tes professeurs le voient. Les autres personnes voient ton prénom et l'initiale de ton nom."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birth_date = forms.DateField(
        label=_("Ta date de naissance"),
        help_text=_("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    password1, password2 = password_fields()
    time_zone = forms.ChoiceField(label=_("Où habites-tu ?"), choices=TIME_ZONES)

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        age = PupilProfile.age_on(birth_date, timezone.localdate())
        if not 10 <= age <= 25:
            raise forms.ValidationError(_("Vérifie ta date de naissance : elle ne semble pas correcte."))
        return birth_date


class SchoolJoinRequestForm(DsfrForm):
    uai = forms.CharField(
        label=_("Numéro UAI de l'établissement"),
        max_length=12,
        help_text=_(
            "7 chiffres et une lettre, par exemple 0750655E. Il figure sur les documents officiels de l'établissement."
        ),
    )
    role = forms.ChoiceField(label=_("Votre fonction"), choices=StaffRole.choices, widget=forms.RadioSelect)

    def clean_uai(self):
        uai = normalise_uai(self.cleaned_data["uai"])
        validate_uai(uai)
        school = School.objects.filter(uai=uai).first()
        if school is None:
            raise forms.ValidationError(
                _(
                    "Cet établissement n'est pas encore inscrit sur Passerelle. "
                    "Écrivez à l'équipe de la plateforme pour l'ajouter."
                )
            )
        self.school = school
        return uai


class SchoolClassForm(DsfrForm):
    school = forms.ModelChoiceField(label=_("Établissement"), queryset=School.objects.none())
    name = forms.CharField(label=_("Nom de la classe"), max_length=50, help_text=_("Par exemple : 3e B"))
    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices)
    specialty = forms.CharField(
        label=_("Spécialité"),
        max_length=150,
        required=False,
        help_text=_(
            "Pour le CAP et le bac pro, par exemple : Métiers de l'électricité et de ses environnements connectés"
        ),
    )
    school_year = forms.TypedChoiceField(label=_("Année scolaire"), coerce=int)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].initial = schools[0].pk
        year = current_school_year()
        self.fields["school_year"].choices = [(y, f"{y}-{y + 1}") for y in (year, year + 1)]
        self.fields["school_year"].initial = year

    def clean(self):
        cleaned = super().clean()
        level, school = cleaned.get("level"), cleaned.get("school")
        if level in LYCEE_PRO_LEVELS and not cleaned.get("specialty"):
            self.add_error("specialty", _("Indiquez la spécialité préparée par cette classe de lycée professionnel."))
        if school and level and level not in levels_taught(school.kind):
            self.add_error("level", _("Ce niveau n'existe pas dans ce type d'établissement."))
        return cleaned


class InternshipWeekForm(DsfrForm):
    week = forms.DateField(
        label=_("Semaine de stage de la classe"),
        required=False,
        help_text=_(
            "Le lundi de la semaine où la classe part en stage. Laissez vide si elle n'est pas encore décidée. "
            "Format attendu : JJ/MM/AAAA"
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, school_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.school_class = school_class

    def clean_week(self):
        from backend.schools.services import internship_week_refusal

        week = self.cleaned_data["week"]
        refusal = internship_week_refusal(school_class=self.school_class, week=week)
        if refusal:
            raise forms.ValidationError(refusal)
        return week
