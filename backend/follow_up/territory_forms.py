"""The filters of the national and département view: their choices depend on who looks (a referent chooses among
her départements only) and on the date (the last school years)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.follow_up.territory import Departement, SchoolYear, departement_sort_key, school_year_choices
from backend.offers.enums import Track
from backend.organisations.enums import Sector


class TerritoryFilterForm(forms.Form):
    departement = forms.ChoiceField(label=_("Département"), required=False)
    annee = forms.ChoiceField(label=_("Année scolaire"), required=False)
    secteur = forms.ChoiceField(
        label=_("Secteur"), required=False, choices=[("", _("Tous les secteurs")), *Sector.choices]
    )
    parcours = forms.ChoiceField(
        label=_("Type de stage"), required=False, choices=[("", _("Tous les types de stage")), *Track.choices]
    )

    def __init__(self, data, *, departements: dict[str, Departement], scope: list[str] | None):
        super().__init__(data)
        codes = sorted(departements if scope is None else scope, key=departement_sort_key)
        everything = _("France entière") if scope is None else _("Tous mes départements")
        self.fields["departement"].choices = [
            ("", everything),
            *((code, f"{code} — {departements[code].name}" if code in departements else code) for code in codes),
        ]
        self.years = school_year_choices()
        self.fields["annee"].choices = [(str(year.start), year.label) for year in self.years]

    def school_year(self) -> SchoolYear:
        chosen = self.cleaned_data.get("annee")
        return SchoolYear(int(chosen)) if chosen else self.years[0]
