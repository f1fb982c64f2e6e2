"""What the partner API reads and writes, field by field.

The input serializer applies the same rules as the posting pages, from the same functions: ISO weeks and the
schedule's legal limits (backend.offers.rules), the ROME domains (backend.offers.taxonomy), SIRET numbers
(backend.organisations.validators), communes (backend.geo.selectors). Rules that depend on what is already
stored (seats already taken, weeks already applied for) read the existing offer from the context; the service
checks them again under lock.
"""

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.geo.models import Commune
from backend.geo.search import normalise_search
from backend.geo.selectors import get_commune_by_code
from backend.offers.enums import OfferFormat, OfferStatus, Reservation, Track
from backend.offers.rules import iso_week, parse_iso_week, validate_rome_code, validate_schedule
from backend.offers.taxonomy import validate_domain
from backend.organisations.enums import OrganisationKind, Sector
from backend.organisations.validators import normalise_siret, validate_siret
from backend.schools.models import School
from backend.schools.validators import normalise_uai

EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:~-]{0,99}$")
EXTERNAL_ID_PATTERN = EXTERNAL_ID.pattern
MAX_WEEKS = 60
MAX_SEATS = 1000
MAX_GROUP_SIZE = 100
MAX_SCHOOLS = 200

# The statuses a partner may ask for: its offers are published at once (associations are vetted partners of
# the programme) or kept out of the catalogue.
PARTNER_STATUSES = [
    (OfferStatus.PUBLISHED.value, OfferStatus.PUBLISHED.label),
    (OfferStatus.UNPUBLISHED.value, OfferStatus.UNPUBLISHED.label),
]


def external_id_error(external_id: str) -> str | None:
    if EXTERNAL_ID.match(external_id or ""):
        return None
    return _(
        "L'identifiant de l'offre chez le partenaire compte de 1 à 100 caractères : lettres sans accent, chiffres, "
        "et . _ : ~ - (pas au début)."
    )


def _messages(error: DjangoValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Input -----------------------------------------------------------------------------------------------------


class PartnerOrganisationInputSerializer(serializers.Serializer):
    siret = serializers.CharField(
        max_length=20,
        help_text=gettext_lazy(
            "Numéro SIRET de la structure d'accueil (14 chiffres). Une structure déjà inscrite garde son nom."
        ),
    )
    name = serializers.CharField(max_length=200, help_text=gettext_lazy("Nom de la structure d'accueil."))
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)

    def validate_siret(self, value):
        siret = normalise_siret(value)
        try:
            validate_siret(siret)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_messages(error)) from None
        return siret


class PartnerWeekInputSerializer(serializers.Serializer):
    week = serializers.CharField(
        max_length=10, help_text=gettext_lazy("Semaine ISO : l'année, W et le numéro de la semaine (2027-W03).")
    )
    seats = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SEATS,
        help_text=gettext_lazy("Places cette semaine ; 0 ferme la semaine sans la retirer."),
    )

    def validate_week(self, value) -> datetime.date:
        try:
            return parse_iso_week(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_messages(error)) from None


class ScheduleField(serializers.DictField):
    """{"1": [["09:00", "12:00"], ["13:30", "17:00"]], …}: ISO weekday → one or two time ranges."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ListField(
                child=serializers.ListField(child=serializers.CharField(max_length=5), max_length=2),
                max_length=4,
            ),
            **kwargs,
        )


class PartnerOfferInputSerializer(serializers.Serializer):
    """The whole offer: PUT replaces it. Needs `offer` in its context: the offer stored under this external id,
    or None."""

    organisation = PartnerOrganisationInputSerializer(
        help_text=gettext_lazy("La structure qui accueille : retrouvée par son SIRET, créée sinon.")
    )
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=10_000, help_text=gettext_lazy("Texte brut, sans HTML."))
    sector = serializers.ChoiceField(
        choices=Sector.choices, help_text=gettext_lazy("Lettre du secteur (voir GET /api/v1/sectors/).")
    )
    domain = serializers.CharField(
        max_length=3, help_text=gettext_lazy("Code du domaine professionnel du secteur, par exemple H26.")
    )
    job_title = serializers.CharField(max_length=150, help_text=gettext_lazy("Le métier découvert."))
    rome_code = serializers.CharField(
        max_length=5,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Code ROME du métier (une lettre et 4 chiffres), facultatif."),
    )
    track = serializers.ChoiceField(choices=Track.choices)
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=150),
        max_length=20,
        required=False,
        default=list,
        help_text=gettext_lazy("Pour une PFMP (obligatoire alors) : les spécialités de lycée professionnel visées."),
    )
    format = serializers.ChoiceField(choices=OfferFormat.choices)
    address = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    commune = serializers.CharField(
        max_length=5,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy(
            "Code INSEE de la commune ; ou bien postcode et city. Obligatoire sauf pour une offre à distance."
        ),
    )
    postcode = serializers.CharField(max_length=5, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    weeks = PartnerWeekInputSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_WEEKS,
        help_text=gettext_lazy(
            "Toutes les semaines de l'offre. Une semaine à venir absente de la liste est retirée (si personne "
            "n'y a candidaté) ; les semaines passées restent dans l'historique."
        ),
    )
    group_size = serializers.IntegerField(min_value=1, max_value=MAX_GROUP_SIZE, default=1)
    reservation = serializers.ChoiceField(choices=Reservation.choices, default=Reservation.OPEN)
    schools = serializers.ListField(
        child=serializers.CharField(max_length=12),
        max_length=MAX_SCHOOLS,
        required=False,
        default=list,
        help_text=gettext_lazy("Numéros UAI des établissements choisis, quand le champ reservation vaut « schools »."),
    )
    disability_friendly = serializers.BooleanField(default=False)
    schedule = ScheduleField(
        help_text=gettext_lazy(
            "Jour ISO (1 = lundi … 7 = dimanche) → une ou deux plages horaires [début, fin]. 3e : au plus 7 h "
            "par jour et 35 h par semaine, du lundi au vendredi, rien entre 22 h et 6 h."
        )
    )
    status = serializers.ChoiceField(
        choices=PARTNER_STATUSES,
        default=OfferStatus.PUBLISHED,
        help_text=gettext_lazy(
            "« published » (par défaut) : l'offre paraît aussitôt au catalogue, les associations étant des "
            "partenaires vérifiés ; « unpublished » : elle en sort."
        ),
    )

    def validate_rome_code(self, value):
        value = value.upper()
        try:
            validate_rome_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_messages(error)) from None
        return value

    def validate_domain(self, value):
        return value.upper()

    def validate(self, attrs):
        errors: dict[str, list[str]] = {}

        def refuse(field: str, error) -> None:
            messages = _messages(error) if isinstance(error, DjangoValidationError) else [str(error)]
            errors.setdefault(field, []).extend(messages)

        try:
            validate_domain(attrs["domain"], attrs["sector"])
        except DjangoValidationError as error:
            refuse("domain", error)
        try:
            attrs["schedule"] = validate_schedule(attrs["schedule"], attrs["track"])
        except DjangoValidationError as error:
            refuse("schedule", error)
        if attrs["track"] == Track.PFMP:
            attrs["specialties"] = [item for item in attrs["specialties"] if item]
            if not attrs["specialties"]:
                refuse(
                    "specialties", _("Indiquez les spécialités de lycée professionnel auxquelles la PFMP convient.")
                )
        else:
            attrs["specialties"] = []
        attrs["commune"] = self._commune(attrs, refuse)
        if attrs["format"] == OfferFormat.REMOTE:
            attrs["address"] = ""
        attrs["schools"] = self._schools(attrs, refuse)
        attrs["weeks"] = self._weeks(attrs["weeks"], refuse)
        if errors:
            raise serializers.ValidationError(errors)
        attrs.pop("postcode", None)
        attrs.pop("city", None)
        return attrs

    def _commune(self, attrs, refuse) -> Commune | None:
        code, postcode, city = attrs["commune"], attrs["postcode"], attrs["city"]
        if code:
            commune = get_commune_by_code(code)
            if commune is None:
                refuse("commune", _("Aucune commune n'a le code INSEE « %(code)s ».") % {"code": code})
            return commune
        if postcode or city:
            if not (postcode and city):
                refuse("commune", _("Indiquez le code postal et la ville ensemble, ou bien le code INSEE."))
                return None
            candidates = list(Commune.objects.filter(postcodes__code=postcode).distinct())
            wanted = normalise_search(city)
            # One commune for the postcode: it is the one, however the city is spelt ("St-Denis").
            matching = candidates if len(candidates) == 1 else [c for c in candidates if c.search_name == wanted]
            if len(matching) != 1:
                refuse(
                    "commune",
                    _("Aucune commune « %(city)s » n'a le code postal %(postcode)s : indiquez son code INSEE.")
                    % {"city": city, "postcode": postcode},
                )
                return None
            return matching[0]
        if attrs["format"] != OfferFormat.REMOTE:
            refuse("commune", _("Indiquez la commune du stage (sauf pour une offre à distance)."))
        return None

    def _schools(self, attrs, refuse) -> list[School]:
        if attrs["reservation"] != Reservation.SCHOOLS:
            return []
        codes = list(dict.fromkeys(normalise_uai(code) for code in attrs["schools"]))
        if not codes:
            refuse("schools", _("Indiquez les numéros UAI des établissements auxquels l'offre est réservée."))
            return []
        found = {school.uai: school for school in School.objects.filter(uai__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            refuse(
                "schools",
                _("Établissements inconnus de Passerelle : %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        return [found[code] for code in codes if code in found]

    def _weeks(self, weeks: list[dict], refuse) -> list[tuple[datetime.date, int]]:
        """The weeks as (Monday, seats), after the checks that need the stored offer."""
        offer = self.context.get("offer")
        stored = {week.week_start: week for week in offer.weeks.all()} if offer is not None else {}
        with_applications = (
            set(offer.weeks.filter(applications__isnull=False).values_list("week_start", flat=True))
            if offer is not None
            else set()
        )
        today = timezone.localdate()
        result: dict[datetime.date, int] = {}
        for item in weeks:
            monday, seats = item["week"], item["seats"]
            label = iso_week(monday)
            if monday in result:
                refuse("weeks", _("La semaine %(week)s est indiquée deux fois.") % {"week": label})
                continue
            result[monday] = seats
            existing = stored.get(monday)
            if monday <= today:
                # A week that has begun is history: it may be sent again as it is, never added nor changed.
                if existing is None:
                    refuse(
                        "weeks",
                        _("La semaine %(week)s est commencée ou passée : proposez des semaines à venir.")
                        % {"week": label},
                    )
                elif existing.seats != seats:
                    refuse(
                        "weeks",
                        _("La semaine %(week)s est commencée ou passée : ses places ne changent plus.")
                        % {"week": label},
                    )
                continue
            if existing is not None and seats < existing.seats_taken:
                refuse(
                    "weeks",
                    _(
                        "La semaine %(week)s : %(taken)s élève(s) y ont déjà une place confirmée, "
                        "indiquez au moins %(taken)s place(s)."
                    )
                    % {"week": label, "taken": existing.seats_taken},
                )
        for monday, week in stored.items():
            if monday in result or monday <= today:
                continue
            if week.seats_taken or monday in with_applications:
                refuse(
                    "weeks",
                    _(
                        "La semaine %(week)s a déjà des candidatures : gardez-la et fermez-la plutôt en indiquant "
                        "%(taken)s place(s)."
                    )
                    % {"week": week.iso_week, "taken": week.seats_taken},
                )
        return sorted(result.items())


# --- Output ----------------------------------------------------------------------------------------------------


class PartnerOrganisationSerializer(serializers.Serializer):
    siret = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)


class PartnerCommuneSerializer(serializers.Serializer):
    insee_code = serializers.CharField(help_text=gettext_lazy("Code officiel géographique de l'INSEE."))
    name = serializers.CharField()
    departement_code = serializers.CharField()


class PartnerWeekSerializer(serializers.Serializer):
    week = serializers.CharField(source="iso_week", help_text=gettext_lazy("Semaine ISO, comme 2027-W03."))
    seats = serializers.IntegerField()
    seats_taken = serializers.IntegerField(help_text=gettext_lazy("Places prises par des élèves confirmés."))
    seats_left = serializers.IntegerField()


class PartnerOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=gettext_lazy("Numéro de l'offre sur Passerelle."))
    external_id = serializers.SerializerMethodField(
        help_text=gettext_lazy("Identifiant chez le partenaire ; null pour une offre saisie sur le site.")
    )
    organisation = PartnerOrganisationSerializer()
    title = serializers.CharField()
    description = serializers.CharField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    domain = serializers.CharField()
    job_title = serializers.CharField()
    rome_code = serializers.CharField()
    track = serializers.ChoiceField(choices=Track.choices)
    specialties = serializers.ListField(child=serializers.CharField())
    format = serializers.ChoiceField(choices=OfferFormat.choices)
    address = serializers.CharField()
    commune = PartnerCommuneSerializer(allow_null=True)
    latitude = serializers.FloatField(allow_null=True, help_text=gettext_lazy("Null pour une offre à distance."))
    longitude = serializers.FloatField(allow_null=True)
    weeks = PartnerWeekSerializer(many=True, source="weeks.all")
    group_size = serializers.IntegerField()
    reservation = serializers.ChoiceField(choices=Reservation.choices)
    schools = serializers.SerializerMethodField(help_text=gettext_lazy("UAI des établissements choisis."))
    disability_friendly = serializers.BooleanField()
    schedule = ScheduleField()
    status = serializers.ChoiceField(choices=OfferStatus.choices)
    hidden = serializers.SerializerMethodField(
        help_text=gettext_lazy("Masquée par la modération : hors du catalogue, et plus modifiable par l'API.")
    )
    moderation_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    archived_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_external_id(self, offer) -> str | None:
        return offer.external_id or None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_schools(self, offer) -> list[str]:
        return sorted(school.uai for school in offer.reserved_schools.all())

    @extend_schema_field(serializers.BooleanField())
    def get_hidden(self, offer) -> bool:
        return offer.hidden_at is not None


# --- Sectors -----------------------------------------------------------------------------------------------------


class DomainSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("Lettre du secteur et deux chiffres, par exemple H26."))
    name = serializers.CharField()


class SectorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Sector.choices, help_text=gettext_lazy("Lettre du grand domaine ROME."))
    name = serializers.CharField()
    domains = DomainSerializer(many=True)
