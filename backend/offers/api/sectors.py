"""GET /api/v1/sectors/: the 14 sectors of the ROME and their professional domains, public."""

from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.schema import ApiAutoSchema
from backend.api.throttling import AnonThrottle
from backend.offers.api.partner_serializers import SectorSerializer
from backend.offers.taxonomy import domains_of
from backend.organisations.enums import Sector


def sectors() -> list[dict]:
    """The sectors in their order, each with its domains; labels in the active language."""
    return [
        {
            "code": code,
            "name": str(label),
            # The domains' names come from the data file, in French; a translation, when the catalogue has one,
            # is used.
            "domains": [
                {"code": domain.code, "name": gettext(domain.name) if domain.name else ""}
                for domain in domains_of(code)
            ],
        }
        for code, label in Sector.choices
    ]


@extend_schema(
    tags=["sectors"],
    summary=_("Les secteurs et domaines professionnels"),
    description=_(
        "Les 14 grands domaines du ROME de France Travail (une lettre) et les domaines professionnels de chacun "
        "(la lettre et deux chiffres), à utiliser dans « sector » et « domain » des offres. Public ; libellés "
        "dans la langue demandée par Accept-Language. Non paginé."
    ),
    responses=SectorSerializer(many=True),
)
class SectorListView(APIView):
    # Public reference data: no sign-in, and a stale token or session does not stand in the way.
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]
    schema = ApiAutoSchema()

    def get(self, request):
        return Response(SectorSerializer(sectors(), many=True).data)


urlpatterns = [path("v1/sectors/", SectorListView.as_view(), name="sector-list")]
