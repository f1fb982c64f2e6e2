"""Scheduling API: tutoring (routes at the end).

- `GET tutoring/slots/`: open slots (filters `topic`, `day` in the caller's time zone); a pupil does not see those
  overlapping her own bookings.
- `GET/POST tutoring/bookings/`: the caller's bookings (as pupil or as tutor); a pupil books a slot by its key.
- `POST tutoring/bookings/<id>/cancel/`, `POST tutoring/bookings/<id>/reschedule/`: either side, with a reason, up
  to the cut-off.
- `GET/POST tutoring/availability/rules/`, `DELETE tutoring/availability/rules/<id>/`: a tutor's recurring rules.

Thin over `scheduling.selectors` and `scheduling.services`; a refusal of the services is a 400 `invalid` with the
messages per field, and nothing is written.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from backend.api.base import ApiListView, ApiView
from scheduling import permissions, selectors, services
from scheduling.enums import RulePurpose, Topic
from scheduling.models import AvailabilityRule, Booking
from scheduling.serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    OpenSlotSerializer,
    ReasonSerializer,
    RescheduleSerializer,
    RuleInputSerializer,
    RuleSerializer,
    SlotFilterSerializer,
)

TAGS = ["tutoring"]


def _is_tutor(user) -> bool:
    return permissions.can_offer_tutoring(user)


def _refused(error: DjangoValidationError, *, aliases: dict | None = None) -> exceptions.ValidationError:
    """A service's ValidationError as the API's 400 `invalid`, keyed by field."""
    if hasattr(error, "error_dict"):
        detail = {}
        for field, messages in error.message_dict.items():
            key = (aliases or {}).get(field, field)
            if key == "__all__":
                key = api_settings.NON_FIELD_ERRORS_KEY
            detail.setdefault(key, []).extend(messages)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def _slot_from_key(key: str, *, field: str = "slot"):
    """(tutor, start) of a slot key, or a 400 on the field."""
    found = selectors.tutor_and_start_of_key(key)
    if found is None:
        raise exceptions.ValidationError({field: [gettext("Ce créneau n'existe pas.")]})
    return found


# --- Slots ---------------------------------------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    summary=_("Créneaux de tutorat libres"),
    description=_(
        "Les créneaux qu'on peut réserver maintenant, du plus proche au plus lointain : délai de prévenance, horizon "
        "et plafonds des tuteurs respectés, places restantes. Un élève ne voit pas ceux qui chevauchent ses "
        "propres rendez-vous. Heures en UTC."
    ),
    parameters=[
        OpenApiParameter("topic", OpenApiTypes.STR, enum=Topic.values, description=_("Thème.")),
        OpenApiParameter("day", OpenApiTypes.DATE, description=_("Un jour, dans le fuseau horaire de l'appelant.")),
    ],
    responses=OpenSlotSerializer(many=True),
)
class SlotListView(ApiListView):
    serializer_class = OpenSlotSerializer
    filterset_class = None

    def get_queryset(self):
        filters = SlotFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        user = self.request.user
        return selectors.open_slots(
            viewer=user if user.is_pupil else None,
            topic=filters.validated_data.get("topic"),
            day=filters.validated_data.get("day"),
            limit=500,
        )


# --- Bookings ------------------------------------------------------------------------------------------------


def _bookings_of(user) -> list:
    """The caller's bookings: a pupil's own (upcoming first, then past), a tutor's slots'."""
    if permissions.can_book_tutoring(user):
        return [*selectors.bookings_of_pupil(user, upcoming=True), *selectors.bookings_of_pupil(user, upcoming=False)]
    if _is_tutor(user):
        return list(selectors.bookings_of_tutor(user))
    return []


def _party_booking(request, pk) -> Booking:
    """A booking the caller may cancel or move (its pupil, its tutor, platform staff); 404 for any other."""
    booking = get_object_or_404(Booking.objects.select_related("slot__tutor", "pupil"), pk=pk)
    if not permissions.can_cancel_booking(request.user, booking):
        raise Http404
    return booking


class BookingListView(ApiListView):
    serializer_class = BookingSerializer

    def get_queryset(self):
        return _bookings_of(self.request.user)

    @extend_schema(
        tags=TAGS,
        summary=_("Mes réservations de tutorat"),
        description=_("Pour un élève, ses rendez-vous (à venir puis passés) ; pour un tuteur, ceux de ses créneaux."),
        responses=BookingSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary=_("Réserver un créneau"),
        description=_(
            "Un élève réserve un créneau libre par sa clé, avec un thème du créneau et un mot facultatif. Refusé "
            "(400) : créneau complet, passé, dans le délai de prévenance, chevauchant un autre rendez-vous de "
            "l'élève. Ses professeurs sont prévenus."
        ),
        request=BookingCreateSerializer,
        responses={201: BookingSerializer},
    )
    def post(self, request, *args, **kwargs):
        if not permissions.can_book_tutoring(request.user):
            raise exceptions.PermissionDenied(gettext("Seuls les élèves réservent des créneaux de tutorat."))
        data = BookingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tutor, starts_at = _slot_from_key(data.validated_data["slot"])
        try:
            booking = services.booking_create(
                pupil=request.user,
                tutor=tutor,
                starts_at=starts_at,
                topic=data.validated_data["topic"],
                message=data.validated_data["message"],
            )
        except DjangoValidationError as error:
            raise _refused(error, aliases={"starts_at": "slot"}) from None
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS,
    summary=_("Annuler une réservation"),
    description=_(
        "L'élève ou le tuteur annule, avec un motif, jusqu'au délai d'annulation avant le début (400 au-delà). "
        "404 pour une réservation dont l'appelant n'est pas partie."
    ),
    request=ReasonSerializer,
    responses={200: BookingSerializer},
)
class BookingCancelView(ApiView):
    def post(self, request, pk):
        booking = _party_booking(request, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.booking_cancel(booking=booking, by=request.user, reason=data.validated_data["reason"])
        except DjangoValidationError as error:
            raise _refused(error) from None
        booking.refresh_from_db()
        return Response(BookingSerializer(booking).data)


@extend_schema(
    tags=TAGS,
    summary=_("Déplacer une réservation"),
    description=_(
        "L'élève ou le tuteur choisit un autre créneau libre du même tuteur, avec un motif : l'ancienne réservation "
        "est annulée et la nouvelle créée en une fois. Réponse : la nouvelle réservation."
    ),
    request=RescheduleSerializer,
    responses={201: BookingSerializer},
)
class BookingRescheduleView(ApiView):
    def post(self, request, pk):
        booking = _party_booking(request, pk)
        data = RescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tutor, starts_at = _slot_from_key(data.validated_data["slot"])
        if tutor.pk != booking.slot.tutor_id:
            raise exceptions.ValidationError({"slot": [gettext("Choisissez un créneau du même tuteur.")]})
        try:
            new = services.booking_reschedule(
                booking=booking, by=request.user, starts_at=starts_at, reason=data.validated_data["reason"]
            )
        except DjangoValidationError as error:
            raise _refused(error, aliases={"starts_at": "slot"}) from None
        return Response(BookingSerializer(new).data, status=status.HTTP_201_CREATED)


# --- Availability rules ---------------------------------------------------------------------------------------


class RuleListView(ApiListView):
    serializer_class = RuleSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not _is_tutor(request.user):
            raise exceptions.PermissionDenied(gettext("Réservé aux tuteurs et tutrices bénévoles."))

    def get_queryset(self):
        return selectors.rules_of(self.request.user, purpose=RulePurpose.TUTORING)

    @extend_schema(tags=TAGS, summary=_("Mes règles de disponibilité"), responses=RuleSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary=_("Ajouter une règle de disponibilité"),
        description=_(
            "Une plage récurrente en heure locale, découpée en créneaux. Refusée (400) : fin avant le début, RRULE "
            "mal formée, chevauchement avec une autre règle, créneau individuel sans attestation d'honorabilité."
        ),
        request=RuleInputSerializer,
        responses={201: RuleSerializer},
    )
    def post(self, request, *args, **kwargs):
        data = RuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["slot_minutes"] = int(fields["slot_minutes"])
        fields.setdefault("time_zone", selectors.availability_settings_of(request.user).time_zone)
        try:
            rule = services.rule_create(owner=request.user, purpose=RulePurpose.TUTORING, **fields)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAGS,
    summary=_("Supprimer une règle de disponibilité"),
    description=_("Les rendez-vous déjà pris restent. 404 pour la règle d'une autre personne."),
    request=None,
    responses={204: OpenApiResponse(description=_("Règle supprimée."))},
)
class RuleDetailView(ApiView):
    def delete(self, request, pk):
        rule = AvailabilityRule.objects.filter(pk=pk, owner=request.user, purpose=RulePurpose.TUTORING).first()
        if rule is None:
            raise Http404
        try:
            services.rule_delete(rule=rule)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("v1/tutoring/slots/", SlotListView.as_view(), name="tutoring-slot-list"),
    path("v1/tutoring/bookings/", BookingListView.as_view(), name="tutoring-booking-list"),
    path("v1/tutoring/bookings/<int:pk>/cancel/", BookingCancelView.as_view(), name="tutoring-booking-cancel"),
    path(
        "v1/tutoring/bookings/<int:pk>/reschedule/",
        BookingRescheduleView.as_view(),
        name="tutoring-booking-reschedule",
    ),
    path("v1/tutoring/availability/rules/", RuleListView.as_view(), name="tutoring-rule-list"),
    path("v1/tutoring/availability/rules/<int:pk>/", RuleDetailView.as_view(), name="tutoring-rule-detail"),
]
