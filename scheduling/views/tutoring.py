"""Scheduling pages: tutoring (routes at the end).

- The tutor's week (`scheduling:tutor_week`): his settings, his recurring rules and exceptions, the week's
  bookings as an agenda (a list per day) with cancel and attended/no-show marking; previous/next week.
- The pupil: find a slot (`scheduling:slots`, topic and day filters, grouped by day, in her own time zone), book
  it (`scheduling:book`), see the confirmation (`scheduling:booking_detail`), and "my appointments"
  (`scheduling:my_appointments`) with cancel and reschedule up to the cut-off.

Views are thin: reads through `scheduling.selectors`, writes through `scheduling.services`, which raise
`ValidationError` with translated messages; a refused write shows its message and writes nothing.
"""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.enums import TIME_ZONES
from scheduling import forms, permissions, rules, selectors, services
from scheduling.enums import BookingStatus, RulePurpose
from scheduling.models import AvailabilityException, AvailabilityRule, AvailabilitySettings, Booking

TIME_ZONE_LABELS = dict(TIME_ZONES)

# --- Who ------------------------------------------------------------------------------------------------------


def _tutor_only(request) -> None:
    if not permissions.can_offer_tutoring(request.user):
        raise PermissionDenied


def _pupil_only(request) -> None:
    if not permissions.can_book_tutoring(request.user):
        raise PermissionDenied


def _booking(request, pk) -> Booking:
    booking = get_object_or_404(
        Booking.objects.select_related("slot__tutor", "pupil", "cancelled_by", "rescheduled_from"), pk=pk
    )
    if not permissions.can_view_booking(request.user, booking):
        raise Http404
    return booking


def _first_message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_service_error(form, error: ValidationError, *, aliases: dict | None = None) -> None:
    """A service's refusal goes to its field when the form has it (or an alias of it), to the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _cutoff_hours() -> int:
    return rules.cancel_cutoff_hours()


def changeable(booking, now=None, *, user=None) -> bool:
    """Still booked and before the cut-off (before the start for platform staff): it may be cancelled or moved."""
    now = now or timezone.now()
    margin = datetime.timedelta(hours=0 if getattr(user, "is_staff", False) else _cutoff_hours())
    return booking.status == BookingStatus.BOOKED and booking.starts_at - now > margin


def markable(booking, now=None) -> bool:
    """Begun: the tutor says whether the pupil came (and may correct it)."""
    now = now or timezone.now()
    return booking.status != BookingStatus.CANCELLED and booking.starts_at <= now


# --- The tutor's week ---------------------------------------------------------------------------------------------


def _week_start(value: str | None) -> datetime.date:
    """The Monday of the asked week (or of this week), in the viewer's time zone."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if abs((day - today).days) > 366 * 2:
        day = today
    return day - datetime.timedelta(days=day.weekday())


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_current_timezone())


def _decorate_rule(rule: AvailabilityRule) -> AvailabilityRule:
    weekdays = forms.weekdays_of(rule.rrule)
    labels = dict(forms.WEEKDAYS)
    rule.when_label = ", ".join(str(labels[code]) for code in weekdays) if weekdays else rule.rrule
    rule.topic_labels = [forms.topic_label(code) for code in rule.topics]
    return rule


def _settings_of(user) -> AvailabilitySettings:
    return selectors.availability_settings_of(user)


def _week_context(request, *, settings_form=None) -> dict:
    user = request.user
    monday = _week_start(request.GET.get("semaine"))
    start, end = _local_midnight(monday), _local_midnight(monday + datetime.timedelta(days=7))
    bookings = sorted(selectors.bookings_of_tutor(user, start=start, end=end), key=lambda b: b.starts_at)
    now = timezone.now()
    for booking in bookings:
        booking.can_change = changeable(booking, now)
        booking.can_mark = markable(booking, now)
        booking.topic_label = forms.topic_label(booking.topic)
    by_day = {day: list(items) for day, items in groupby(bookings, key=lambda b: timezone.localdate(b.starts_at))}
    dates = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    days = [{"date": day, "bookings": by_day.get(day)} for day in dates]
    availability = _settings_of(user)
    return {
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "previous_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "is_this_week": monday == _week_start(None),
        "days": days,
        "booking_count": len([b for b in bookings if b.status != BookingStatus.CANCELLED]),
        "settings_form": settings_form or forms.AvailabilitySettingsForm(instance=availability, user=user),
        "availability": availability,
        "rules": [_decorate_rule(rule) for rule in selectors.rules_of(user, purpose=RulePurpose.TUTORING)],
        "exceptions": selectors.exceptions_of(user, purpose=RulePurpose.TUTORING, since=timezone.localdate()),
        "has_attestation": selectors.has_valid_attestation(user),
        "time_zone_label": TIME_ZONE_LABELS.get(user.time_zone, user.time_zone),
        "cutoff_hours": _cutoff_hours(),
        "page_title": _("Ma semaine de tutorat"),
    }


def tutor_week(request):
    _tutor_only(request)
    return render(request, "scheduling/tutoring/tutor_week.html", _week_context(request))


@require_POST
def tutor_settings(request):
    _tutor_only(request)
    form = forms.AvailabilitySettingsForm(request.POST, instance=_settings_of(request.user), user=request.user)
    if form.is_valid():
        try:
            services.availability_settings_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Vos réglages sont enregistrés."))
            return redirect("scheduling:tutor_week")
    return render(
        request, "scheduling/tutoring/tutor_week.html", _week_context(request, settings_form=form), status=200
    )


def _own_rule(request, pk) -> AvailabilityRule:
    return get_object_or_404(AvailabilityRule, pk=pk, owner=request.user, purpose=RulePurpose.TUTORING)


@require_http_methods(["GET", "POST"])
def rule_create(request):
    _tutor_only(request)
    form = forms.RuleForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_create(
                owner=request.user,
                purpose=RulePurpose.TUTORING,
                time_zone=_settings_of(request.user).time_zone,
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_service_error(form, error, aliases=form.service_aliases())
        else:
            messages.success(request, _("Vos disponibilités sont enregistrées."))
            return redirect("scheduling:tutor_week")
    return render(
        request,
        "scheduling/tutoring/rule_form.html",
        {"form": form, "page_title": _("Ajouter des disponibilités"), **_rule_form_context(request)},
    )


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    _tutor_only(request)
    rule = _own_rule(request, pk)
    form = forms.RuleForm(request.POST or None, initial=forms.RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(rule=rule, **form.service_fields())
        except ValidationError as error:
            _add_service_error(form, error, aliases=form.service_aliases())
        else:
            messages.success(request, _("Vos disponibilités sont modifiées."))
            return redirect("scheduling:tutor_week")
    return render(
        request,
        "scheduling/tutoring/rule_form.html",
        {"form": form, "rule": rule, "page_title": _("Modifier des disponibilités"), **_rule_form_context(request)},
    )


def _rule_form_context(request) -> dict:
    availability = _settings_of(request.user)
    return {
        "rule_time_zone": TIME_ZONE_LABELS.get(availability.time_zone, availability.time_zone),
        "has_attestation": selectors.has_valid_attestation(request.user),
        "cancel_url": reverse("scheduling:tutor_week"),
    }


@require_POST
def rule_delete(request, pk):
    _tutor_only(request)
    rule = _own_rule(request, pk)
    try:
        services.rule_delete(rule=rule)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("Ces disponibilités sont supprimées. Les rendez-vous déjà pris restent."))
    return redirect("scheduling:tutor_week")


@require_http_methods(["GET", "POST"])
def exception_create(request):
    _tutor_only(request)
    form = forms.ExceptionForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.exception_create(
                owner=request.user,
                purpose=RulePurpose.TUTORING,
                time_zone=_settings_of(request.user).time_zone,
                **form.service_fields(),
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("L'exception est enregistrée."))
            return redirect("scheduling:tutor_week")
    return render(
        request,
        "scheduling/tutoring/exception_form.html",
        {"form": form, "page_title": _("Ajouter une exception"), **_rule_form_context(request)},
    )


@require_POST
def exception_delete(request, pk):
    _tutor_only(request)
    exception = get_object_or_404(AvailabilityException, pk=pk, owner=request.user, purpose=RulePurpose.TUTORING)
    try:
        services.exception_delete(exception=exception)
    except ValidationError as error:
        messages.error(request, _first_message(error))
    else:
        messages.success(request, _("L'exception est supprimée."))
    return redirect("scheduling:tutor_week")


@require_POST
def booking_mark(request, pk):
    """The tutor says whether the pupil came."""
    booking = _booking(request, pk)
    if not permissions.can_mark_booking(request.user, booking):
        raise Http404
    attended = request.POST.get("attended")
    if attended not in ("1", "0"):
        messages.error(request, _("Indiquez si l'élève était présent ou absent."))
    else:
        try:
            services.booking_mark(booking=booking, by=request.user, attended=attended == "1")
        except ValidationError as error:
            messages.error(request, _first_message(error))
        else:
            messages.success(
                request,
                (_("%(name)s est noté présent.") if attended == "1" else _("%(name)s est noté absent."))
                % {"name": booking.pupil.display_name},
            )
    week = _week_start(timezone.localdate(booking.starts_at).isoformat())
    return redirect(reverse("scheduling:tutor_week") + f"?semaine={week.isoformat()}")


# --- The pupil: find and book a slot --------------------------------------------------------------------------


def slot_url(slot) -> str:
    return reverse("scheduling:book", kwargs={"key": slot.key})


def _group_by_day(slots) -> list[dict]:
    """Open slots (frozen) with what the page shows about each, grouped by local day."""
    items = [
        {"slot": slot, "book_url": slot_url(slot), "topic_labels": [forms.topic_label(code) for code in slot.topics]}
        for slot in slots
    ]
    return [
        {"date": day, "items": list(group)}
        for day, group in groupby(items, key=lambda item: timezone.localdate(item["slot"].starts_at))
    ]


def slots(request):
    """Open slots for the signed-in pupil, in her time zone, by day."""
    _pupil_only(request)
    form = forms.SlotFilterForm(request.GET or None)
    topic = day = None
    if form.is_bound and form.is_valid():
        topic = form.cleaned_data["topic"] or None
        day = form.cleaned_data["day"]
    found = selectors.open_slots(viewer=request.user, topic=topic, day=day, limit=200)
    return render(
        request,
        "scheduling/tutoring/slots.html",
        {
            "form": form,
            "days": _group_by_day(found),
            "count": len(found),
            "filtered": bool(topic or day),
            "consent_pending": request.user.pupil_profile.consent_pending,
            "time_zone_label": TIME_ZONE_LABELS.get(request.user.time_zone, request.user.time_zone),
            "page_title": _("Trouver un créneau de tutorat"),
        },
    )


def _open_slot(key: str):
    """(tutor, start, open slot or None) from a slot's key; 404 for a key that names no tutor."""
    found = selectors.tutor_and_start_of_key(key)
    if found is None:
        raise Http404
    tutor, starts_at = found
    return tutor, starts_at, selectors.find_open_slot(tutor=tutor, starts_at=starts_at)


@require_http_methods(["GET", "POST"])
def book(request, key):
    """Book one slot: a topic among the slot's, a short message."""
    _pupil_only(request)
    tutor, starts_at, slot = _open_slot(key)
    if slot is None:
        messages.error(request, _("Ce créneau n'est plus libre. Choisis-en un autre."))
        return redirect("scheduling:slots")
    form = forms.BookForm(request.POST or None, topics=list(slot.topics))
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                pupil=request.user,
                tutor=tutor,
                starts_at=starts_at,
                topic=form.cleaned_data["topic"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("C'est réservé ! Ton professeur est prévenu."))
            return redirect("scheduling:booking_detail", pk=booking.pk)
    return render(
        request,
        "scheduling/tutoring/book.html",
        {
            "slot": slot,
            "form": form,
            "time_zone_label": TIME_ZONE_LABELS.get(request.user.time_zone, request.user.time_zone),
            "page_title": _("Réserver un créneau"),
        },
    )


# --- One booking, and the pupil's appointments ----------------------------------------------------------------


def booking_detail(request, pk):
    booking = _booking(request, pk)
    user = request.user
    is_party = permissions.can_cancel_booking(user, booking)
    return render(
        request,
        "scheduling/tutoring/booking_detail.html",
        {
            "booking": booking,
            "is_pupil": booking.pupil_id == user.pk,
            "is_tutor": booking.slot.tutor_id == user.pk,
            "is_party": is_party,
            "topic_label": forms.topic_label(booking.topic),
            "can_change": is_party and changeable(booking, user=user),
            "can_mark": permissions.can_mark_booking(user, booking) and markable(booking),
            "cutoff_hours": _cutoff_hours(),
            "rescheduled_to": Booking.objects.filter(rescheduled_from=booking).first(),
            "page_title": _("Rendez-vous de tutorat"),
        },
    )


def my_appointments(request):
    _pupil_only(request)
    upcoming = list(selectors.bookings_of_pupil(request.user, upcoming=True))
    upcoming_ids = {booking.pk for booking in upcoming}
    past = [b for b in selectors.bookings_of_pupil(request.user, upcoming=False) if b.pk not in upcoming_ids]
    now = timezone.now()
    for booking in upcoming:
        booking.can_change = changeable(booking, now)
        booking.topic_label = forms.topic_label(booking.topic)
    return render(
        request,
        "scheduling/tutoring/my_appointments.html",
        {
            "upcoming": upcoming,
            "past": sorted(past, key=lambda b: b.starts_at, reverse=True),
            "cutoff_hours": _cutoff_hours(),
            "time_zone_label": TIME_ZONE_LABELS.get(request.user.time_zone, request.user.time_zone),
            "page_title": _("Mes rendez-vous de tutorat"),
        },
    )


def _back_url(request, booking) -> str:
    if booking.pupil_id == request.user.pk:
        return reverse("scheduling:my_appointments")
    if booking.slot.tutor_id != request.user.pk:
        return reverse("scheduling:booking_detail", args=[booking.pk])
    week = _week_start(timezone.localdate(booking.starts_at).isoformat())
    return reverse("scheduling:tutor_week") + f"?semaine={week.isoformat()}"


def _changeable_booking(request, pk) -> Booking:
    """A booking the person may cancel or move (its pupil, its tutor, platform staff); a 404 for anyone else,
    supervisors included."""
    booking = _booking(request, pk)
    if not permissions.can_cancel_booking(request.user, booking):
        raise Http404
    return booking


@require_http_methods(["GET", "POST"])
def booking_cancel(request, pk):
    booking = _changeable_booking(request, pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Le rendez-vous est annulé. Ton tuteur et ton professeur sont prévenus.")
                if booking.pupil_id == request.user.pk
                else _("Le rendez-vous est annulé. L'élève et son professeur sont prévenus."),
            )
            return redirect(_back_url(request, booking))
    return render(
        request,
        "scheduling/tutoring/booking_cancel.html",
        {
            "booking": booking,
            "form": form,
            "allowed": changeable(booking, user=request.user),
            "cutoff_hours": _cutoff_hours(),
            "cancel_url": _back_url(request, booking),
            "page_title": _("Annuler un rendez-vous"),
        },
    )


@require_http_methods(["GET", "POST"])
def booking_reschedule(request, pk):
    """Move the booking to another open slot of the same tutor."""
    booking = _changeable_booking(request, pk)
    candidates = [
        slot
        for slot in selectors.open_slots(viewer=booking.pupil, tutor=booking.slot.tutor, limit=100)
        if slot.starts_at != booking.starts_at
    ]
    form = forms.RescheduleForm(request.POST or None, slots=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.booking_reschedule(
                booking=booking,
                by=request.user,
                starts_at=form.chosen().starts_at,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Le rendez-vous est déplacé au %(when)s.")
                % {"when": date_format(timezone.localtime(new.starts_at), "l j F Y à H:i")},
            )
            return redirect("scheduling:booking_detail", pk=new.pk)
    return render(
        request,
        "scheduling/tutoring/booking_reschedule.html",
        {
            "booking": booking,
            "form": form,
            "allowed": changeable(booking, user=request.user),
            "has_slots": bool(candidates),
            "cutoff_hours": _cutoff_hours(),
            "cancel_url": _back_url(request, booking),
            "page_title": _("Déplacer un rendez-vous"),
        },
    )


urlpatterns = [
    path("tutorat/ma-semaine/", tutor_week, name="tutor_week"),
    path("tutorat/ma-semaine/reglages/", tutor_settings, name="tutor_settings"),
    path("tutorat/disponibilites/ajouter/", rule_create, name="rule_create"),
    path("tutorat/disponibilites/<int:pk>/modifier/", rule_edit, name="rule_edit"),
    path("tutorat/disponibilites/<int:pk>/supprimer/", rule_delete, name="rule_delete"),
    path("tutorat/exceptions/ajouter/", exception_create, name="exception_create"),
    path("tutorat/exceptions/<int:pk>/supprimer/", exception_delete, name="exception_delete"),
    path("tutorat/creneaux/", slots, name="slots"),
    path("tutorat/creneaux/<str:key>/", book, name="book"),
    path("tutorat/mes-rendez-vous/", my_appointments, name="my_appointments"),
    path("tutorat/rendez-vous/<int:pk>/", booking_detail, name="booking_detail"),
    path("tutorat/rendez-vous/<int:pk>/annuler/", booking_cancel, name="booking_cancel"),
    path("tutorat/rendez-vous/<int:pk>/deplacer/", booking_reschedule, name="booking_reschedule"),
    path("tutorat/rendez-vous/<int:pk>/presence/", booking_mark, name="booking_mark"),
]
