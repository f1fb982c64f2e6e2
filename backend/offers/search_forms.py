"""The catalogue's search criteria, checked in one place for the page (`OfferSearchForm`) and the public API
(`OfferSearchApiForm`): both give `search_params()` for `backend.offers.search.offer_search`.

Bad input (a radius of 500 km, an unknown sector, the week "2027-W60", an unknown commune) gives a message per
field, in French, and no search.
"""

import datetime
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import get_default_renderer
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from backend.geo.forms import CommuneField
from backend.geo.models import Commune
from backend.geo.selectors import commune_code_for
from backend.offers.enums import OfferFormat, Track
from backend.offers.rules import iso_week, parse_iso_week, week_end
from backend.offers.search import (
    DEFAULT_RADIUS_KM,
    MAX_KEYWORD_LENGTH,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    PAGE_SIZE,
    RADIUS_OPTIONS,
    SearchParams,
    SearchSort,
    can_filter_reserved,
)
from backend.organisations.enums import Sector
from backend.ui.forms import DsfrFormMixin

WEEKS_OFFERED = 52  # weeks listed in the page's week menu

RADIUS_MESSAGE = _("Choisissez un rayon entre 1 et 100 km.")
PAGE_SIZE_MESSAGE = _("Le nombre d'offres par page va de 1 à 100.")


def radius_label(km: int) -> str:
    return _("%(km)s km") % {"km": km}


def upcoming_mondays(count: int = WEEKS_OFFERED, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the weeks still to come (a week that has begun is not offered any more)."""
    today = today or timezone.localdate()
    first = today + datetime.timedelta(days=7 - today.weekday())
    return [first + datetime.timedelta(weeks=n) for n in range(count)]


def week_label(monday: datetime.date) -> str:
    return _("Semaine du %(date)s (%(week)s)") % {
        "date": formats.date_format(monday, "j F Y"),
        "week": iso_week(monday),
    }


@functools.lru_cache(maxsize=8)
def upcoming_week_choices(today: datetime.date, language: str) -> tuple[tuple[str, str], ...]:
    """The week menu's options, made once a day per language (52 dates to format on every page otherwise)."""
    return (
        ("", str(_("Toutes les semaines"))),
        *((iso_week(monday), week_label(monday)) for monday in upcoming_mondays(today=today)),
    )


class SearchCriteria(forms.Form):
    """The criteria shared by the page and the API; the place is each one's own."""

    q = forms.CharField(
        label=_("Métier, secteur ou mot-clé"),
        required=False,
        max_length=MAX_KEYWORD_LENGTH,
        help_text=_("Par exemple : électricienne, boulangerie, hôpital."),
    )
    radius = forms.IntegerField(
        label=_("Dans un rayon de"),
        required=False,
        min_value=MIN_RADIUS_KM,
        max_value=MAX_RADIUS_KM,
        error_messages={"min_value": RADIUS_MESSAGE, "max_value": RADIUS_MESSAGE, "invalid": RADIUS_MESSAGE},
    )
    sector = forms.ChoiceField(
        label=_("Secteur"),
        required=False,
        choices=[("", _("Tous les secteurs")), *Sector.choices],
        error_messages={"invalid_choice": _("Ce secteur n'existe pas : choisissez-en un dans la liste.")},
    )
    track = forms.ChoiceField(
        label=_("Type de stage"),
        required=False,
        choices=[("", _("Tous les types de stage")), *Track.choices],
        error_messages={"invalid_choice": _("Ce type de stage n'existe pas : choisissez-en un dans la liste.")},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Tous les formats")), *OfferFormat.choices],
        error_messages={"invalid_choice": _("Ce format n'existe pas : choisissez-en un dans la liste.")},
    )
    week = forms.CharField(
        label=_("Semaine de stage"),
        required=False,
        max_length=10,
        help_text=_("Une semaine ISO, par exemple 2027-W03."),
    )
    date_from = forms.DateField(
        label=_("Disponible entre le"),
        required=False,
        error_messages={"invalid": _("Saisissez une date valide, par exemple 2027-01-18.")},
    )
    date_to = forms.DateField(
        label=_("et le"),
        required=False,
        error_messages={"invalid": _("Saisissez une date valide, par exemple 2027-01-22.")},
    )
    reserved = forms.BooleanField(
        label=_("Seulement les offres réservées à mon établissement ou à l'éducation prioritaire"), required=False
    )
    sort = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[("", _("Automatique")), *SearchSort.choices],
        error_messages={"invalid_choice": _("Ce tri n'existe pas : choisissez-en un dans la liste.")},
    )
    page = forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": _("Le numéro de page est un nombre entier à partir de 1."),
            "min_value": _("Le numéro de page est un nombre entier à partir de 1."),
            "max_value": _("Ce numéro de page est trop grand."),
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not can_filter_reserved(user):
            del self.fields["reserved"]

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def clean_week(self):
        value = (self.cleaned_data.get("week") or "").strip().upper()
        if not value:
            return None
        monday = parse_iso_week(value)
        if week_end(monday) < timezone.localdate():
            raise ValidationError(
                _("La semaine %(week)s est passée : choisissez une semaine à venir."), params={"week": value}
            )
        return monday

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if cleaned.get("week") and (date_from or date_to):
            raise ValidationError(_("Choisissez une semaine ou des dates, pas les deux."), code="week_and_dates")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("La date de fin est avant la date de début."))
        elif date_to and date_to < timezone.localdate():
            self.add_error("date_to", _("Cette date est passée : choisissez une période à venir."))
        return cleaned

    def place(self) -> Commune | None:
        raise NotImplementedError

    def place_given(self) -> bool:
        raise NotImplementedError

    def requested_page_size(self) -> int:
        return PAGE_SIZE

    def search_params(self) -> SearchParams:
        cleaned = self.cleaned_data
        monday = cleaned.get("week")
        return SearchParams(
            keyword=cleaned.get("q") or "",
            commune=self.place(),
            place_given=self.place_given(),
            radius_km=cleaned.get("radius") or DEFAULT_RADIUS_KM,
            sector=cleaned.get("sector") or "",
            track=cleaned.get("track") or "",
            format=cleaned.get("format") or "",
            date_from=monday or cleaned.get("date_from"),
            date_to=week_end(monday) if monday else cleaned.get("date_to"),
            reserved_for_me=bool(cleaned.get("reserved")),
            sort=cleaned.get("sort") or "",
            page=cleaned.get("page") or 1,
            page_size=self.requested_page_size(),
        )


def _check_located(commune: Commune | None) -> Commune | None:
    if commune is not None and (commune.latitude is None or commune.longitude is None):
        raise ValidationError(
            _("La position de %(commune)s n'est pas connue : choisissez une commune voisine."),
            code="not_located",
            params={"commune": str(commune)},
        )
    return commune


class OfferSearchForm(DsfrFormMixin, DsfrBaseForm, SearchCriteria):
    """The catalogue page's form (GET): the place is a commune chosen in the accessible autocomplete."""

    commune = CommuneField(
        label=_("Près de la commune"),
        required=False,
        help_text=_("Son nom ou son code postal. Les offres à distance sont proposées quel que soit le lieu."),
    )
    field_order = ["q", "commune", "radius", "sector", "track", "format", "week", "date_from", "date_to"]

    @property
    def default_renderer(self):
        # django-dsfr's renderer builds a new template engine for every form, uncached (7 ms on each catalogue
        # page); the page writes its fields itself but the commune's, whose templates Django's shared renderer
        # finds as well.
        return get_default_renderer()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        radius = self.fields["radius"]
        options = list(RADIUS_OPTIONS)
        typed = self.data.get("radius") if self.is_bound else None
        if typed and str(typed).isdigit() and MIN_RADIUS_KM <= int(typed) <= MAX_RADIUS_KM:
            options = sorted({*options, int(typed)})
        radius.widget = forms.Select(choices=[(km, radius_label(km)) for km in options])
        radius.widget.attrs["class"] = "fr-select"
        radius.initial = DEFAULT_RADIUS_KM
        chosen = (self.data.get("week") or "").strip().upper() if self.is_bound else ""
        week_choices = list(upcoming_week_choices(timezone.localdate(), get_language()))
        if chosen and chosen not in {value for value, _label in week_choices}:
            week_choices.append((chosen, chosen))  # shown back as typed, with its error if any
        self.fields["week"].widget = forms.Select(choices=week_choices, attrs={"class": "fr-select"})
        self.fields["week"].help_text = ""
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date", "class": "fr-input"}, format="%Y-%m-%d")
        self._bound_fields_cache.clear()  # django-dsfr made them before the changes above

    def clean_commune(self):
        return _check_located(self.cleaned_data.get("commune"))

    def place(self) -> Commune | None:
        return self.cleaned_data.get("commune")

    def place_given(self) -> bool:
        return "commune" in self.data or "commune_code" in self.data


class OfferSearchApiForm(SearchCriteria):
    """The public API's query parameters: the place is an INSEE code or a postcode."""

    commune = forms.CharField(label=_("Code INSEE de la commune"), required=False, max_length=5)
    postcode = forms.CharField(label=_("Code postal"), required=False, max_length=5)
    page_size = forms.IntegerField(
        label=_("Offres par page"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        error_messages={"invalid": PAGE_SIZE_MESSAGE, "min_value": PAGE_SIZE_MESSAGE, "max_value": PAGE_SIZE_MESSAGE},
    )

    def clean_commune(self):
        code = (self.cleaned_data.get("commune") or "").strip().upper()
        if not code:
            return None
        commune = Commune.objects.filter(insee_code=commune_code_for(code)).first()
        if commune is None:
            raise ValidationError(
                _("Aucune commune n'a le code INSEE « %(code)s »."), code="unknown_commune", params={"code": code}
            )
        return _check_located(commune)

    def clean_postcode(self):
        code = (self.cleaned_data.get("postcode") or "").strip()
        if not code:
            return None
        communes = list(Commune.objects.filter(postcodes__code=code).distinct().order_by("name")[:6])
        if not communes:
            raise ValidationError(
                _("Aucune commune n'a le code postal « %(code)s »."), code="unknown_postcode", params={"code": code}
            )
        if len(communes) > 1:
            raise ValidationError(
                _(
                    "Le code postal %(code)s dessert plusieurs communes : %(choices)s. "
                    "Donnez plutôt le code INSEE de la commune (paramètre commune)."
                ),
                code="ambiguous_postcode",
                params={
                    "code": code,
                    "choices": ", ".join(f"{commune} : {commune.insee_code}" for commune in communes[:5]),
                },
            )
        return _check_located(communes[0])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("commune") and cleaned.get("postcode"):
            raise ValidationError(
                _("Donnez une commune ou un code postal, pas les deux."), code="commune_and_postcode"
            )
        return cleaned

    def place(self) -> Commune | None:
        return self.cleaned_data.get("commune") or self.cleaned_data.get("postcode")

    def place_given(self) -> bool:
        return "commune" in self.data or "postcode" in self.data

    def requested_page_size(self) -> int:
        return self.cleaned_data.get("page_size") or PAGE_SIZE
