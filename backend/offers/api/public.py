"""The public, read-only offers API: the catalogue's search as JSON.

GET /api/v1/offers/ takes the catalogue's criteria as query parameters (checked by the same form rules) and
answers a page of offers with count/next/previous/results; GET /api/v1/offers/<id>/ one offer. No sign-in
needed; a signed-in pupil or teacher (session or token) also finds the offers reserved to her school, and a
pupil without a place searches around her school, as on the page.
"""

from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from backend.api.base import ApiView
from backend.api.errors import ErrorSerializer
from backend.offers.enums import OfferFormat, Reservation, Track
from backend.offers.models import Offer
from backend.offers.permissions import can_view_offer
from backend.offers.search import (
    SearchResult,
    SearchSort,
    bookable_weeks,
    offer_search,
)
from backend.offers.search_forms import OfferSearchApiForm
from backend.offers.taxonomy import domains
from backend.organisations.enums import Sector

# --- Output ------------------------------------------------------------------------------------------------------


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text=_("Libellé dans la langue demandée."))


class PublicCommuneSerializer(serializers.Serializer):
    insee_code = serializers.CharField(help_text=_("Code officiel géographique de l'INSEE."))
    name = serializers.CharField()
    departement_code = serializers.CharField()


class PublicOrganisationSerializer(serializers.Serializer):
    name = serializers.CharField()


class PublicWeekSerializer(serializers.Serializer):
    week = serializers.CharField(source="iso_week", help_text=_("Semaine ISO, par exemple 2027-W03."))
    week_start = serializers.DateField(help_text=_("Le lundi de la semaine."))
    seats_left = serializers.IntegerField(help_text=_("Places encore libres cette semaine."))


class PublicOfferSerializer(serializers.Serializer):
    """What anyone may know of an offer: no author, no moderation note, no partner identifier."""

    id = serializers.IntegerField()
    page_url = serializers.SerializerMethodField(help_text=_("La page de l'offre sur Passerelle."))
    title = serializers.CharField()
    description = serializers.CharField(help_text=_("Texte brut ; les sauts de ligne séparent les paragraphes."))
    organisation = PublicOrganisationSerializer()
    job_title = serializers.CharField()
    rome_code = serializers.CharField(help_text=_("Code ROME du métier (une lettre et 4 chiffres), ou vide."))
    sector = serializers.SerializerMethodField()
    domain = serializers.SerializerMethodField()
    track = serializers.ChoiceField(choices=Track.choices)
    specialties = serializers.ListField(
        child=serializers.CharField(), help_text=_("Spécialités de lycée professionnel, pour une PFMP.")
    )
    format = serializers.ChoiceField(
        choices=OfferFormat.choices, help_text=_("Une offre à distance n'a ni commune ni coordonnées.")
    )
    address = serializers.CharField()
    commune = PublicCommuneSerializer(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    distance_km = serializers.SerializerMethodField(
        help_text=_("Distance en km depuis le lieu de la recherche ; null sans lieu ou pour une offre à distance.")
    )
    group_size = serializers.IntegerField(help_text=_("Élèves accueillis ensemble la même semaine."))
    reservation = serializers.ChoiceField(choices=Reservation.choices)
    disability_friendly = serializers.BooleanField(help_text=_("Accessible aux élèves en situation de handicap."))
    schedule = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        help_text=_('Horaires par jour de la semaine ("1" = lundi) : une ou deux plages [début, fin].'),
    )
    weeks = PublicWeekSerializer(many=True, source="open_weeks", help_text=_("Semaines à venir avec des places."))
    published_at = serializers.DateTimeField(allow_null=True)

    def get_page_url(self, offer) -> str:
        url = reverse("offers:detail", args=[offer.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_sector(self, offer) -> CodeLabelSerializer:
        return {"code": offer.sector, "label": str(offer.get_sector_display())}

    def get_domain(self, offer) -> CodeLabelSerializer:
        domain = domains().get(offer.domain)
        return {"code": offer.domain, "label": gettext(domain.name) if domain else ""}

    def get_distance_km(self, offer) -> float | None:
        distance = getattr(offer, "distance_km", None)
        return None if distance is None else round(distance, 2)


class SearchSummarySerializer(serializers.Serializer):
    place = PublicCommuneSerializer(allow_null=True, help_text=_("La commune autour de laquelle on a cherché."))
    place_is_default = serializers.BooleanField(
        help_text=_(
            "Vrai quand aucune commune n'était donnée : un élève connecté cherche autour de son établissement."
        )
    )
    count_is_exact = serializers.BooleanField(help_text=_("Faux quand plus de 1 000 offres correspondent."))
    radius_km = serializers.IntegerField()
    sort = serializers.ChoiceField(choices=SearchSort.choices, help_text=_("Le tri appliqué."))
    wider_radius_km = serializers.IntegerField(
        allow_null=True,
        help_text=_("Quand rien n'est trouvé près du lieu : le plus petit rayon plus large qui trouve des offres."),
    )
    wider_count = serializers.IntegerField(help_text=_("Le nombre d'offres à ce rayon plus large."))


class OfferPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text=_(
            "Nombre d'offres trouvées, plafonné à 1 000 : au-delà, « search.count_is_exact » est faux et les pages "
            "s'arrêtent à la 50e (de 20) ; précisez la recherche."
        )
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicOfferSerializer(many=True)
    search = SearchSummarySerializer()


# --- Documentation ---------------------------------------------------------------------------------------------

SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=_(
            "Mots-clés en français : sans tenir compte des accents ni des majuscules, avec les variantes d'un mot "
            "(« electricien » trouve « Électricienne ») et quelques fautes de frappe (« electricein »)."
        ),
    ),
    OpenApiParameter(
        "commune", OpenApiTypes.STR, description=_("Code INSEE de la commune autour de laquelle chercher.")
    ),
    OpenApiParameter(
        "postcode", OpenApiTypes.STR, description=_("Ou son code postal, s'il ne dessert qu'une commune.")
    ),
    OpenApiParameter(
        "radius",
        OpenApiTypes.INT,
        description=_(
            "Rayon en km autour de la commune, de 1 à 100 (10 par défaut). Les offres à distance correspondent à "
            "tous les lieux."
        ),
    ),
    OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values, description=_("Secteur (lettre du ROME).")),
    OpenApiParameter("track", OpenApiTypes.STR, enum=Track.values, description=_("Type de stage.")),
    OpenApiParameter("format", OpenApiTypes.STR, enum=OfferFormat.values, description=_("Format.")),
    OpenApiParameter(
        "week",
        OpenApiTypes.STR,
        description=_("Semaine ISO (par exemple 2027-W03) : les offres qui ont encore des places cette semaine."),
    ),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description=_("Début d'une période : les offres qui ont une semaine avec des places qui la chevauche."),
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description=_("Fin de la période.")),
    OpenApiParameter(
        "reserved",
        OpenApiTypes.BOOL,
        description=_(
            "Seulement les offres réservées à l'appelant (élève ou enseignant connecté) : éducation prioritaire "
            "ou établissements choisis. Ignoré pour les autres."
        ),
    ),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=SearchSort.values,
        description=_(
            "Tri : pertinence (avec des mots-clés), distance (avec une commune) ou date de publication. Par défaut : "
            "pertinence avec des mots-clés, sinon distance avec une commune, sinon date."
        ),
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description=_("Numéro de page, à partir de 1.")),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=_("Offres par page, de 1 à 100 (20 par défaut)."),
    ),
]

EXAMPLE_OFFER = {
    "id": 42,
    "page_url": "https://passerelle.example/offres/42/",
    "title": "Découvrir le métier d'électricienne",
    "description": "Une semaine dans l'atelier : câblage, mise en service, sécurité électrique.",
    "organisation": {"name": "Électricité du Nord"},
    "job_title": "Électricien ou électricienne",
    "rome_code": "F1602",
    "sector": {"code": "F", "label": "Construction, bâtiment et travaux publics"},
    "domain": {"code": "F16", "label": "Second œuvre"},
    "track": "observation_3e",
    "specialties": [],
    "format": "on_site",
    "address": "12 rue de la République",
    "commune": {"insee_code": "93066", "name": "Saint-Denis", "departement_code": "93"},
    "latitude": 48.9362,
    "longitude": 2.3574,
    "distance_km": 3.4,
    "group_size": 1,
    "reservation": "open",
    "disability_friendly": True,
    "schedule": {"1": [["09:00", "12:00"], ["13:30", "17:00"]]},
    "weeks": [{"week": "2027-W03", "week_start": "2027-01-18", "seats_left": 2}],
    "published_at": "2026-11-02T09:30:00Z",
}


# --- Views -----------------------------------------------------------------------------------------------------

# No authentication needed. A session or a token is still read: a pupil or a teacher also finds the offers
# reserved to her school, and a token that is no longer valid is refused rather than ignored.
PUBLIC = [{}]
INVALID_CREDENTIALS = OpenApiResponse(
    ErrorSerializer,
    description=_(
        "Jeton ou session refusés (code « authentication_failed ») : sans authentification, l'API répond à tous."
    ),
)


def _form_errors(form) -> dict:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


def _page_links(request, result: SearchResult) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", result.page + 1) if result.has_next else None
    if not result.has_previous:
        return following, None
    previous = (
        remove_query_param(url, "page") if result.page == 2 else replace_query_param(url, "page", result.page - 1)
    )
    return following, previous


def _summary(result: SearchResult) -> dict:
    return {
        "place": result.place,
        "place_is_default": result.place_is_default,
        "count_is_exact": result.count_is_exact,
        "radius_km": result.radius_km,
        "sort": result.sort,
        "wider_radius_km": result.wider_radius_km,
        "wider_count": result.wider_count,
    }


class OfferListView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["offers"],
        operation_id="offers_search",
        auth=PUBLIC,
        summary=_("Chercher des offres de stage"),
        description=_(
            "La recherche du catalogue public, avec les mêmes critères : offres publiées, qui ont encore des "
            "places une semaine à venir. Sans connexion, seules les offres ouvertes à tous ; un élève ou un "
            "enseignant connecté voit aussi celles réservées à son établissement ou à l'éducation prioritaire. "
            "Près d'une commune, les offres sont triées par distance et les offres à distance viennent après. "
            "Quand rien n'est trouvé près d'une commune, « search » propose un rayon plus large et son nombre "
            "d'offres."
        ),
        parameters=SEARCH_PARAMETERS,
        responses={
            200: OfferPageSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_("Critère invalide (code « invalid ») : le message de chaque paramètre dans « fields »."),
                examples=[
                    OpenApiExample(
                        "invalid",
                        value={
                            "code": "invalid",
                            "detail": "Les données envoyées ne sont pas valides.",
                            "fields": {
                                "radius": ["Choisissez un rayon entre 1 et 100 km."],
                                "week": ["L'année 2027 n'a pas de semaine n° 60."],
                            },
                        },
                    )
                ],
            ),
            401: INVALID_CREDENTIALS,
            404: OpenApiResponse(ErrorSerializer, description=_("Page au-delà de la dernière (code « not_found »).")),
        },
        examples=[
            OpenApiExample(
                _("Électricienne à 20 km de Saint-Denis"),
                value={
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [EXAMPLE_OFFER],
                    "search": {
                        "place": {"insee_code": "93066", "name": "Saint-Denis", "departement_code": "93"},
                        "place_is_default": False,
                        "count_is_exact": True,
                        "radius_km": 20,
                        "sort": "relevance",
                        "wider_radius_km": None,
                        "wider_count": 0,
                    },
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request):
        form = OfferSearchApiForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        params = form.search_params()
        result = offer_search(user=request.user, params=params)
        if params.page > result.num_pages:
            raise exceptions.NotFound(
                gettext("Cette page n'existe pas : la recherche donne %(pages)s page(s).")
                % {"pages": result.num_pages}
            )
        following, previous = _page_links(request, result)
        context = {"request": request}
        return Response(
            {
                "count": result.count,
                "next": following,
                "previous": previous,
                "results": PublicOfferSerializer(result.offers, many=True, context=context).data,
                "search": SearchSummarySerializer(_summary(result)).data,
            }
        )


class OfferDetailView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["offers"],
        operation_id="offers_retrieve",
        auth=PUBLIC,
        summary=_("Une offre de stage"),
        description=_("Une offre que l'appelant peut voir dans le catalogue (404 sinon)."),
        responses={200: PublicOfferSerializer, 401: INVALID_CREDENTIALS},
        examples=[OpenApiExample(_("Une offre"), value=EXAMPLE_OFFER, response_only=True, status_codes=["200"])],
    )
    def get(self, request, pk: int):
        offer = (
            Offer.objects.select_related("organisation", "commune")
            .prefetch_related(
                Prefetch("weeks", queryset=bookable_weeks().order_by("week_start"), to_attr="open_weeks")
            )
            .filter(pk=pk)
            .first()
        )
        if offer is None or not can_view_offer(request.user, offer):
            raise exceptions.NotFound()
        return Response(PublicOfferSerializer(offer, context={"request": request}).data)


urlpatterns = [
    path("v1/offers/", OfferListView.as_view(), name="offer-list"),
    path("v1/offers/<int:pk>/", OfferDetailView.as_view(), name="offer-detail"),
]
