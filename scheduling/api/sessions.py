"""Scheduling API: remote discovery sessions (routes at the end).

- `GET sessions/`: published sessions that have not started (filters `sector`, `mode`, `week`), with their places.
- `GET sessions/<id>/`: one session the caller may see; the video link only for those taking part.
- `POST sessions/<id>/bookings/`: a teacher or a head books for one of her classes (`school_class`); a pupil books
  herself on an individual-mode session (no body). Pending until the association confirms; waitlisted when full.
- `POST session-bookings/<id>/cancel/`: cancel a booking with a reason.

Thin over `scheduling.session_selectors` and `scheduling.session_services`; a refusal of the services is a 400
`invalid` with the messages, and nothing is written. What the caller may not see is a 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from backend.api.base import ApiView
from backend.api.errors import ErrorSerializer
from backend.offers.rules import parse_iso_week
from scheduling import permissions, session_selectors
from scheduling import session_services as services
from scheduling.enums import CapacityUnit, SessionBookingStatus, SessionMode, SessionStatus, VideoProvider
from scheduling.models import DiscoverySession, SessionBooking

TAGS = ["sessions"]

# --- Serializers --------------------------------------------------------------------------------------------------


class SessionPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SessionPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(help_text=_("Prénom et nom (prénom et initiale pour un élève)."))


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    sector = serializers.CharField(
        help_text=_("Domaine professionnel du ROME (une lettre et deux chiffres), ou vide.")
    )
    association = SessionPartySerializer()
    host_organisation = SessionPartySerializer()
    professionals = serializers.SerializerMethodField()
    facilitators = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(help_text=_("Début, en UTC."))
    ends_at = serializers.DateTimeField(help_text=_("Fin, en UTC."))
    duration_minutes = serializers.IntegerField()
    time_zone = serializers.CharField(help_text=_("Le fuseau horaire de l'organisatrice."))
    mode = serializers.ChoiceField(choices=SessionMode.choices)
    capacity = serializers.IntegerField()
    capacity_unit = serializers.ChoiceField(choices=CapacityUnit.choices)
    places_taken = serializers.IntegerField(
        help_text=_("Places prises par les inscriptions en attente ou confirmées.")
    )
    waiting = serializers.IntegerField(help_text=_("Inscriptions sur liste d'attente."))
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    video_provider = serializers.ChoiceField(choices=VideoProvider.choices)
    video_url = serializers.SerializerMethodField(
        help_text=_("Seulement pour les personnes qui participent (inscription confirmée) et l'organisation.")
    )
    page_url = serializers.SerializerMethodField()

    @extend_schema_field(SessionPersonSerializer(many=True))
    def get_professionals(self, session):
        return [{"id": person.pk, "display_name": person.display_name} for person in session.professionals.all()]

    @extend_schema_field(SessionPersonSerializer(many=True))
    def get_facilitators(self, session):
        return [{"id": person.pk, "display_name": person.display_name} for person in session.facilitators.all()]

    def get_video_url(self, session) -> str | None:
        request = self.context.get("request")
        return session.video_url if request and permissions.can_see_video_link(request.user, session) else None

    def get_page_url(self, session) -> str:
        url = reverse("scheduling:session_detail", args=[session.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SessionBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    school_class = serializers.IntegerField(source="school_class_id", allow_null=True)
    pupil = serializers.SerializerMethodField()
    places = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SessionBookingStatus.choices)
    waiting_position = serializers.SerializerMethodField(help_text=_("1 pour la première sur la liste d'attente."))
    cancel_reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(SessionPersonSerializer(allow_null=True))
    def get_pupil(self, booking):
        if not booking.pupil_id:
            return None
        return {"id": booking.pupil_id, "display_name": booking.pupil.display_name}

    def get_waiting_position(self, booking) -> int | None:
        return session_selectors.waiting_position(booking)


class SessionBookingInputSerializer(serializers.Serializer):
    school_class = serializers.IntegerField(
        required=False, help_text=_("La classe à inscrire (enseignants et chefs d'établissement).")
    )


class SessionCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("Le motif, lu par les personnes prévenues."))


# --- Views --------------------------------------------------------------------------------------------------------


def _refused(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def _session_for(request, pk) -> DiscoverySession:
    session = (
        session_selectors.with_places(DiscoverySession.objects.select_related("association", "host_organisation"))
        .filter(pk=pk)
        .first()
    )
    if session is None or not permissions.can_view_session(request.user, session):
        raise exceptions.NotFound()
    return session


NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("Séquence inconnue ou que l'appelant ne peut pas voir."))
INVALID = OpenApiResponse(ErrorSerializer, description=_("Refus (code « invalid ») : le message explique pourquoi."))


class SessionListView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="sessions_list",
        summary=_("Séquences de découverte ouvertes"),
        description=_(
            "Les séquences publiées qui n'ont pas commencé, les plus proches d'abord. Pour les enseignants, les "
            "chefs d'établissement, les élèves et les associations."
        ),
        parameters=[
            OpenApiParameter("sector", OpenApiTypes.STR, description=_("Domaine (F16) ou secteur (F) du ROME.")),
            OpenApiParameter("mode", OpenApiTypes.STR, enum=SessionMode.values, description=_("Mode d'inscription.")),
            OpenApiParameter("week", OpenApiTypes.STR, description=_("Semaine ISO (2027-W03), dans votre fuseau.")),
        ],
        responses={
            200: SessionSerializer(many=True),
            400: INVALID,
            403: OpenApiResponse(ErrorSerializer, description=_("Réservé à qui peut réserver ou organise.")),
        },
    )
    def get(self, request):
        if not permissions.can_browse_sessions(request.user):
            raise exceptions.PermissionDenied()
        start = end = None
        if week := request.query_params.get("week"):
            try:
                monday = parse_iso_week(week)
            except DjangoValidationError as error:
                raise exceptions.ValidationError({"week": error.messages}) from None
            start, end = session_selectors.week_bounds(monday, request.user.time_zone)
        mode = request.query_params.get("mode", "")
        if mode and mode not in SessionMode.values:
            raise exceptions.ValidationError({"mode": [gettext("Mode inconnu.")]})
        sessions = session_selectors.published_sessions(
            sector=request.query_params.get("sector", "")[:8], mode=mode, start=start, end=end
        ).prefetch_related("professionals", "facilitators")[:200]
        return Response(SessionSerializer(sessions, many=True, context={"request": request}).data)


class SessionDetailView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="sessions_retrieve",
        summary=_("Une séquence de découverte"),
        responses={200: SessionSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        session = _session_for(request, pk)
        return Response(SessionSerializer(session, context={"request": request}).data)


class SessionBookingCreateView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="sessions_bookings_create",
        summary=_("S'inscrire ou inscrire une classe"),
        description=_(
            "Une enseignante ou un chef d'établissement inscrit une de ses classes (« school_class ») ; un élève "
            "s'inscrit lui-même à une séquence en mode individuel (corps vide). L'inscription attend la "
            "confirmation de l'association, ou va sur liste d'attente quand la séquence est complète."
        ),
        request=SessionBookingInputSerializer,
        responses={201: SessionBookingSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        session = _session_for(request, pk)
        payload = SessionBookingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = request.user
        try:
            if user.is_pupil:
                booking = services.session_book_pupil(session=session, pupil=user)
            else:
                class_id = payload.validated_data.get("school_class")
                if class_id is None:
                    raise exceptions.ValidationError({"school_class": [gettext("Choisissez une de vos classes.")]})
                school_class = permissions.bookable_classes(user).filter(pk=class_id).first()
                if school_class is None:
                    raise exceptions.ValidationError({"school_class": [gettext("Ce n'est pas une de vos classes.")]})
                booking = services.session_book_class(session=session, school_class=school_class, by=user)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(SessionBookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class SessionBookingCancelView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="session_bookings_cancel",
        summary=_("Annuler une inscription"),
        description=_("Avant le début de la séquence, avec un motif ; la liste d'attente avance."),
        request=SessionCancelInputSerializer,
        responses={
            200: SessionBookingSerializer,
            400: INVALID,
            404: OpenApiResponse(ErrorSerializer, description=_("Inscription inconnue ou hors de portée.")),
        },
    )
    def post(self, request, pk: int):
        booking = SessionBooking.objects.select_related("session", "school_class", "pupil").filter(pk=pk).first()
        if booking is None or not permissions.can_cancel_session_booking(request.user, booking):
            raise exceptions.NotFound()
        payload = SessionCancelInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            booking = services.session_booking_cancel(
                booking=booking, by=request.user, reason=payload.validated_data["reason"]
            )
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(SessionBookingSerializer(booking).data)


urlpatterns = [
    path("v1/sessions/", SessionListView.as_view(), name="session-list"),
    path("v1/sessions/<int:pk>/", SessionDetailView.as_view(), name="session-detail"),
    path("v1/sessions/<int:pk>/bookings/", SessionBookingCreateView.as_view(), name="session-booking-create"),
    path("v1/session-bookings/<int:pk>/cancel/", SessionBookingCancelView.as_view(), name="session-booking-cancel"),
]
