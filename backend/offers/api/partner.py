"""The partner API: associations push and manage their offers with a token (see backend/api/README.md).

`GET /api/v1/partner/offers/` lists the caller association's offers; `GET|PUT|DELETE
/api/v1/partner/offers/{external_id}` reads, creates or replaces (idempotent), and removes one. Only a partner
token opens it (partner_auth.py); a partner never sees another association's offers (404).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backend.api.errors import INVALID, ErrorSerializer, error_body
from backend.api.pagination import ApiPagination
from backend.api.schema import ApiAutoSchema
from backend.offers.api.partner_auth import IsPartner, PartnerThrottle, PartnerTokenAuthentication, note_site_session
from backend.offers.api.partner_serializers import (
    EXTERNAL_ID_PATTERN,
    PartnerOfferInputSerializer,
    PartnerOfferSerializer,
    external_id_error,
)
from backend.offers.models import Offer, OfferWeek
from backend.offers.partner_services import (
    PartnerConflict,
    partner_conflict,
    partner_offer_delete,
    partner_offer_upsert,
)

UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_ENTITY


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("La requête contredit l'état de l'offre.")
    default_code = "conflict"


class StrictJSONParser(JSONParser):
    """JSON whose every string can be stored: a lone UTF-16 surrogate ("\\ud800") is valid JSON but no text
    for the database nor for the error messages that quote it. Nesting too deep to parse is refused too."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(gettext("Le JSON est trop imbriqué.")) from None
        pending = [data]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise exceptions.ParseError(
                        gettext("Le JSON contient un caractère invalide (un demi-caractère UTF-16 isolé).")
                    ) from None
        return data


def _flat_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {"organisation.siret": [...], "weeks.0.week": [...]}: one list of messages per
    field path, the shape of the Error schema."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A nested object's errors about itself as a whole belong to its own path ("weeks").
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                name = prefix or key
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for path_name, messages in _flat_errors(value, name).items():
                flat.setdefault(path_name, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            for path_name, messages in _flat_errors(value, f"{prefix}.{index}" if prefix else str(index)).items():
                flat.setdefault(path_name, []).extend(messages)
    elif isinstance(detail, list):
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(item) for item in detail]
    else:
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return flat


def invalid_response(fields: dict) -> Response:
    """422 with the messages per field. Returned, not raised: nothing was written (the checks come first, and
    the service writes in its own transaction), and the token's last use stays recorded."""
    return Response(
        error_body(INVALID, gettext("Les données envoyées ne sont pas valides."), fields=_flat_errors(fields)),
        status=UNPROCESSABLE,
    )


def _offers(association):
    return (
        Offer.objects.filter(association=association)
        .select_related("organisation", "commune")
        .prefetch_related(Prefetch("weeks", queryset=OfferWeek.objects.order_by("week_start")), "reserved_schools")
        .order_by("-created_at", "-pk")
    )


class PartnerApiMixin:
    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [IsPartner]
    renderer_classes = [JSONRenderer]
    parser_classes = [StrictJSONParser]
    throttle_classes = [PartnerThrottle]
    schema = ApiAutoSchema()

    def initial(self, request, *args, **kwargs):
        note_site_session(request)
        super().initial(request, *args, **kwargs)


# --- Documentation ---------------------------------------------------------------------------------------------

TAGS = ["partner"]

EXAMPLE_OFFER = {
    "organisation": {"siret": "73282932000074", "name": "Électricité du Canal", "kind": "company"},
    "title": "Découvrir le métier d'électricienne",
    "description": "Une semaine à l'atelier : câblage, mise en service, sécurité électrique.",
    "sector": "H",
    "domain": "H26",
    "job_title": "Électricien ou électricienne",
    "rome_code": "H2602",
    "track": "observation_3e",
    "specialties": [],
    "format": "on_site",
    "address": "12 rue de la République",
    "commune": "93066",
    "weeks": [{"week": "2027-W03", "seats": 2}, {"week": "2027-W04", "seats": 1}],
    "group_size": 1,
    "reservation": "priority",
    "schools": [],
    "disability_friendly": True,
    "schedule": {str(day): [["09:00", "12:00"], ["13:30", "17:00"]] for day in range(1, 6)},
    "status": "published",
}
EXAMPLE_RESPONSE = {
    "id": 418,
    "external_id": "stage-2027-elec-01",
    **{key: value for key, value in EXAMPLE_OFFER.items() if key not in ("weeks", "commune")},
    "commune": {"insee_code": "93066", "name": "Saint-Denis", "departement_code": "93"},
    "latitude": 48.9362,
    "longitude": 2.3574,
    "weeks": [
        {"week": "2027-W03", "seats": 2, "seats_taken": 0, "seats_left": 2},
        {"week": "2027-W04", "seats": 1, "seats_taken": 0, "seats_left": 1},
    ],
    "hidden": False,
    "moderation_note": "",
    "created_at": "2026-11-28T09:30:00Z",
    "updated_at": "2026-11-28T09:30:00Z",
    "published_at": "2026-11-28T09:30:00Z",
    "archived_at": None,
}
EXAMPLE_INVALID = {
    "code": "invalid",
    "detail": "Les données envoyées ne sont pas valides.",
    "fields": {
        "weeks.0.week": ["L'année 2027 n'a pas de semaine n° 60."],
        "sector": ["« Z » n'est pas un choix valide."],
    },
}

EXTERNAL_ID_PARAMETER = OpenApiParameter(
    "external_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=EXTERNAL_ID_PATTERN,
    description=_(
        "Identifiant de l'offre dans le système du partenaire : 1 à 100 caractères parmi les lettres sans "
        "accent, les chiffres et . _ : ~ - (pas au début). Unique par association."
    ),
)

ERRORS = {
    401: OpenApiResponse(
        ErrorSerializer,
        description=_(
            "Jeton absent, inconnu ou révoqué (codes « not_authenticated », « authentication_failed ») ; "
            "la réponse porte l'en-tête « WWW-Authenticate: Bearer »."
        ),
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description=_(
            "Appel avec la session d'une personne connectée au site plutôt qu'avec un jeton d'association "
            "(code « partner_token_required ») : l'API partenaire ne s'ouvre qu'aux jetons."
        ),
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description=_("Aucune offre de votre association sous cet identifiant (code « not_found »)."),
    ),
}

PUT_DESCRIPTION = _(
    "Crée l'offre sous cet identifiant (201), ou la remplace entièrement (200). Idempotent : le même contenu "
    "envoyé deux fois donne le même résultat, sans rien modifier ni ajouter à l'historique la seconde fois. "
    "Les offres des associations paraissent aussitôt au catalogue (« status » : « published », par défaut) : "
    "les associations sont des partenaires vérifiés du dispositif ; la modération peut ensuite les masquer. "
    "La structure d'accueil est retrouvée par son SIRET, ou créée. Les règles sont celles du site : semaines "
    "ISO à venir, horaires dans les limites légales (3e : 7 h par jour, 35 h par semaine, du lundi au vendredi, "
    "rien entre 22 h et 6 h), jamais moins de places qu'il n'y a d'élèves confirmés. En cas d'erreur, rien "
    "n'est enregistré."
)


# --- Views -----------------------------------------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    summary=_("Les offres de mon association"),
    description=_(
        "Toutes les offres de l'association du jeton, les plus récentes d'abord, y compris celles saisies sur "
        "le site (leur « external_id » est null) et les offres archivées. Paginé comme les autres listes."
    ),
    responses={200: PartnerOfferSerializer(many=True), 401: ERRORS[401], 403: ERRORS[403]},
)
class PartnerOfferListView(PartnerApiMixin, ListAPIView):
    serializer_class = PartnerOfferSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return _offers(self.request.auth.association)


class PartnerOfferView(PartnerApiMixin, APIView):
    def _offer(self, external_id: str) -> Offer:
        if external_id_error(external_id):
            raise Http404
        offer = _offers(self.request.auth.association).filter(external_id=external_id).first()
        if offer is None:
            raise Http404
        return offer

    @extend_schema(
        tags=TAGS,
        summary=_("Une offre de mon association"),
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={
            200: OpenApiResponse(PartnerOfferSerializer, examples=[OpenApiExample("offre", EXAMPLE_RESPONSE)]),
            **ERRORS,
        },
    )
    def get(self, request, external_id):
        return Response(PartnerOfferSerializer(self._offer(external_id)).data)

    @extend_schema(
        tags=TAGS,
        summary=_("Créer ou remplacer une offre"),
        description=PUT_DESCRIPTION,
        parameters=[EXTERNAL_ID_PARAMETER],
        request=PartnerOfferInputSerializer,
        examples=[
            OpenApiExample("stage de 3e", EXAMPLE_OFFER, request_only=True),
        ],
        responses={
            200: OpenApiResponse(
                PartnerOfferSerializer,
                description=_("Offre remplacée, ou déjà identique (rien n'a changé)."),
                examples=[OpenApiExample("offre", EXAMPLE_RESPONSE)],
            ),
            201: OpenApiResponse(
                PartnerOfferSerializer,
                description=_("Offre créée et publiée."),
                examples=[OpenApiExample("offre créée", EXAMPLE_RESPONSE)],
            ),
            400: OpenApiResponse(ErrorSerializer, description=_("Corps illisible : JSON invalide (« parse_error »).")),
            401: ERRORS[401],
            403: ERRORS[403],
            409: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "L'offre ne peut plus changer : archivée (« offer_archived »), masquée par la modération "
                    "(« offer_hidden »), ou déplacée vers une autre structure alors que des élèves y ont "
                    "candidaté (« organisation_change »)."
                ),
                examples=[
                    OpenApiExample(
                        "archivée",
                        {
                            "code": "offer_archived",
                            "detail": "Cette offre est archivée : elle ne peut plus être modifiée.",
                        },
                    )
                ],
            ),
            415: OpenApiResponse(
                ErrorSerializer, description=_("Le corps doit être en JSON (« unsupported_media_type »).")
            ),
            422: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Données refusées (code « invalid ») : « fields » donne les messages par champ, dans la langue "
                    "demandée par Accept-Language ; les champs imbriqués sont nommés par leur chemin "
                    "(« organisation.siret », « weeks.0.week »). Rien n'est enregistré."
                ),
                examples=[OpenApiExample("semaine impossible", EXAMPLE_INVALID)],
            ),
        },
    )
    def put(self, request, external_id):
        association = request.auth.association
        problem = external_id_error(external_id)
        if problem:
            return invalid_response({"external_id": [problem]})
        stored = _offers(association).filter(external_id=external_id).first()
        if stored is not None:
            conflict = partner_conflict(stored)
            if conflict:
                raise Conflict(conflict.message, code=conflict.code)
        serializer = PartnerOfferInputSerializer(data=request.data, context={"offer": stored})
        if not serializer.is_valid():
            return invalid_response(serializer.errors)
        try:
            offer, created = partner_offer_upsert(
                association=association, external_id=external_id, data=serializer.validated_data
            )
        except PartnerConflict as conflict:
            raise Conflict(conflict.message, code=conflict.code) from None
        except DjangoValidationError as error:
            fields = error.message_dict if hasattr(error, "error_dict") else {"weeks": error.messages}
            return invalid_response(fields)
        offer = _offers(association).get(pk=offer.pk)
        return Response(
            PartnerOfferSerializer(offer).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        tags=TAGS,
        summary=_("Retirer une offre"),
        description=_(
            "Supprime l'offre. Si des élèves y ont candidaté, ou si la modération l'a signalée ou masquée, elle "
            "est archivée à la place (hors du catalogue, gardée pour l'historique des élèves) : la réponse est "
            "la même, 204, et un nouvel appel ne change plus rien. Une offre archivée ne peut plus être "
            "modifiée ; son identifiant reste pris."
        ),
        parameters=[EXTERNAL_ID_PARAMETER],
        request=None,
        responses={204: OpenApiResponse(description=_("Offre supprimée ou archivée.")), **ERRORS},
    )
    def delete(self, request, external_id):
        partner_offer_delete(offer=self._offer(external_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("v1/partner/offers/", PartnerOfferListView.as_view(), name="partner-offer-list"),
    path("v1/partner/offers/<str:external_id>", PartnerOfferView.as_view(), name="partner-offer"),
]
