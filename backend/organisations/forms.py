from django import forms
from django.utils.translation import gettext_lazy as _

from backend.geo.forms import CommuneField
from backend.organisations.enums import AssociationRole, OrganisationKind, OrganisationRole, Sector
from backend.organisations.models import Association
from backend.organisations.validators import normalise_siret, validate_siret
from backend.ui.forms import DsfrForm


class OrganisationJoinForm(DsfrForm):
    siret = forms.CharField(
        label=_("Numéro SIRET de l'établissement"),
        max_length=20,
        help_text=_(
            "14 chiffres. Si la structure est déjà inscrite, un employeur de la structure confirmera votre demande."
        ),
    )
    name = forms.CharField(label=_("Nom de la structure"), max_length=200)
    kind = forms.ChoiceField(label=_("Type de structure"), choices=OrganisationKind.choices, widget=forms.RadioSelect)
    sector = forms.ChoiceField(label=_("Secteur d'activité"), choices=Sector.choices)
    commune = CommuneField(
        label=_("Commune"), required=False, help_text=_("Tapez le nom de la commune ou son code postal.")
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    role = forms.ChoiceField(label=_("Votre rôle"), choices=OrganisationRole.choices, widget=forms.RadioSelect)

    def clean_siret(self):
        siret = normalise_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret


class AssociationJoinForm(DsfrForm):
    association = forms.ModelChoiceField(label=_("Association"), queryset=Association.objects.order_by("name"))
    role = forms.ChoiceField(label=_("Votre rôle"), choices=AssociationRole.choices, widget=forms.RadioSelect)
