"""Scheduling pages: remote discovery sessions — the association's planner (list and week calendar), creating and
changing a session, browsing and booking (a class, or a pupil herself), confirmation and the waiting list, requests
matched to the common free times, and a class's calendar (routes at the end).

Times are shown in the viewer's zone (the middleware activates it); forms read local dates and times."""

import datetime
import itertools
import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.offers.rules import iso_week, parse_iso_week
from backend.schools.models import SchoolClass
from scheduling import matching, permissions, session_forms, session_selectors
from scheduling import services as tutoring_services
from scheduling import session_services as services
from scheduling.enums import (
    ExceptionKind,
    RequestStatus,
    RulePurpose,
    SessionBookingStatus,
    SessionMode,
    SessionStatus,
    SlotFormat,
)
from scheduling.models import (
    AvailabilityException,
    AvailabilityRule,
    DiscoverySession,
    SessionBooking,
    SessionRequest,
)

# --- Helpers --------------------------------------------------------------------------------------------------------


def _zone(request) -> str:
    return getattr(request.user, "time_zone", None) or "Europe/Paris"


def _week(request) -> datetime.date:
    """The Monday of the week asked for in `?semaine=2027-W03`, this week otherwise."""
    try:
        return parse_iso_week(request.GET.get("semaine", ""))
    except ValidationError:
        return session_selectors.this_monday(_zone(request))


def _week_nav(request, monday: datetime.date) -> dict:
    start, end = session_selectors.week_bounds(monday, _zone(request))
    return {
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "week": iso_week(monday),
        "previous_week": iso_week(monday - datetime.timedelta(weeks=1)),
        "next_week": iso_week(monday + datetime.timedelta(weeks=1)),
        "week_start": start,
        "week_end": end,
    }


def _by_local_day(items, zone: str, key=lambda item: item.starts_at) -> list[tuple[datetime.date, list]]:
    tz = zoneinfo.ZoneInfo(zone)
    return [
        (day, list(group)) for day, group in itertools.groupby(items, key=lambda item: key(item).astimezone(tz).date())
    ]


def _week_days(monday: datetime.date, items, zone: str, key=lambda item: item.starts_at) -> list[tuple]:
    """Seven days, each with its items (possibly none): the week calendar, read as a list."""
    grouped = dict(_by_local_day(items, zone, key))
    return [(day, grouped.get(day, [])) for day in (monday + datetime.timedelta(days=n) for n in range(7))]


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _session_or_403(request, pk, check) -> DiscoverySession:
    session = get_object_or_404(DiscoverySession.objects.select_related("association", "host_organisation"), pk=pk)
    if not check(request.user, session):
        raise PermissionDenied
    return session


# --- Browsing and the planner -------------------------------------------------------------------------------------


def session_list(request):
    """Published sessions to book (teachers, heads, pupils) with the person's own bookings first."""
    if not permissions.can_browse_sessions(request.user):
        raise PermissionDenied
    form = session_forms.SessionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = list(
        session_selectors.published_sessions(sector=filters.get("sector", ""), mode=filters.get("mode", ""))
    )
    return render(
        request,
        "scheduling/sessions/list.html",
        {
            "page_title": _("Séquences de découverte à distance"),
            "form": form,
            "days": _by_local_day(sessions, _zone(request)),
            "count": len(sessions),
            "my_bookings": session_selectors.upcoming_bookings_of_user(request.user),
            "can_request": permissions.can_request_session(request.user),
            "can_organise": permissions.can_organise_sessions(request.user),
        },
    )


def session_planner(request):
    """The association's planner: a week calendar (day by day) and the list of every upcoming session."""
    if not permissions.can_organise_sessions(request.user):
        raise PermissionDenied
    view = "liste" if request.GET.get("vue") == "liste" else "semaine"
    context = {
        "page_title": _("Planning des séquences"),
        "view": view,
        "can_create": permissions.can_create_session(request.user),
        "open_requests": session_selectors.open_request_count(request.user),
        "pending_bookings": session_selectors.pending_booking_count(request.user),
    }
    if view == "liste":
        context["sessions"] = list(session_selectors.planner_sessions(request.user))
    else:
        nav = _week_nav(request, _week(request))
        sessions = list(session_selectors.planner_sessions(request.user, start=nav["week_start"], end=nav["week_end"]))
        context.update(nav, days=_week_days(nav["monday"], sessions, _zone(request)), week_count=len(sessions))
    return render(request, "scheduling/sessions/planner.html", context)


# --- Creating and changing ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_create(request):
    if not permissions.can_create_session(request.user):
        raise PermissionDenied
    form = session_forms.SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        publish = "publish" in request.POST
        try:
            session = services.session_create(
                association=form.cleaned_data["association"],
                created_by=request.user,
                status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
                **form.session_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if publish:
                messages.success(request, _("La séquence est publiée : les établissements peuvent la réserver."))
            else:
                messages.success(request, _("La séquence est enregistrée en brouillon."))
            return redirect("scheduling:session_detail", session.pk)
    return render(
        request,
        "scheduling/sessions/form.html",
        {"form": form, "page_title": _("Nouvelle séquence de découverte"), "creating": True},
    )


@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = _session_or_403(request, pk, permissions.can_manage_session)
    form = session_forms.SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=request.user, **form.session_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La séquence est modifiée."))
            return redirect("scheduling:session_detail", session.pk)
    return render(
        request,
        "scheduling/sessions/form.html",
        {
            "form": form,
            "session": session,
            "page_title": _("Modifier la séquence « %(title)s »") % {"title": session.title},
        },
    )


@require_POST
def session_publish(request, pk):
    session = _session_or_403(request, pk, permissions.can_manage_session)
    try:
        services.session_publish(session=session, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("La séquence est publiée : les établissements peuvent la réserver."))
    return redirect("scheduling:session_detail", session.pk)


@require_http_methods(["GET", "POST"])
def session_cancel(request, pk):
    session = _session_or_403(request, pk, permissions.can_manage_session)
    form = session_forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La séquence est annulée ; les classes inscrites sont prévenues."))
            return redirect("scheduling:session_detail", session.pk)
    return render(
        request,
        "scheduling/sessions/cancel.html",
        {
            "form": form,
            "session": session,
            "page_title": _("Annuler la séquence « %(title)s »") % {"title": session.title},
        },
    )


# --- A session and its bookings -------------------------------------------------------------------------------------


def session_detail(request, pk):
    session = _session_or_403(request, pk, permissions.can_view_session)
    user = request.user
    manages = permissions.can_manage_session(user, session)
    taken = session_selectors.places_taken(session)
    context = {
        "session": session,
        "page_title": session.title,
        "manages": manages,
        "professionals": list(session.professionals.all()),
        "facilitators": list(session.facilitators.all()),
        "places_taken": taken,
        "places_left": max(session.capacity - taken, 0),
        "show_link": permissions.can_see_video_link(user, session),
        "bookable": session.status == SessionStatus.PUBLISHED and session.starts_at > timezone.now(),
    }
    if manages:
        bookings = session_selectors.session_bookings(session)
        position = 0
        for booking in bookings:
            booking.position = None
            if booking.status == SessionBookingStatus.WAITLISTED:
                position += 1
                booking.position = position
        context["bookings"] = bookings
    else:
        mine = [booking for booking in session_selectors.bookings_of_user(user).filter(session=session)]
        for booking in mine:
            booking.position = session_selectors.waiting_position(booking)
            booking.may_cancel = booking.status in SessionBooking.ACTIVE and permissions.can_cancel_session_booking(
                user, booking
            )
        context["my_bookings"] = mine
        if context["bookable"] and session.mode == SessionMode.CLASS and not user.is_pupil:
            booked = {b.school_class_id for b in mine if b.status in SessionBooking.ACTIVE}
            classes = permissions.bookable_classes(user).exclude(pk__in=booked)
            if classes.exists():
                context["booking_form"] = session_forms.ClassBookingForm(classes=classes)
        if context["bookable"] and session.mode == SessionMode.INDIVIDUAL and user.is_pupil:
            context["pupil_may_book"] = not any(
                b.status in SessionBooking.ACTIVE and b.pupil_id == user.pk for b in mine
            )
    return render(request, "scheduling/sessions/detail.html", context)


@require_POST
def session_book(request, pk):
    """A teacher or a head books for a class; a pupil books herself (individual mode)."""
    session = _session_or_403(request, pk, permissions.can_view_session)
    user = request.user
    try:
        if user.is_pupil:
            booking = services.session_book_pupil(session=session, pupil=user)
        else:
            form = session_forms.ClassBookingForm(request.POST, classes=permissions.bookable_classes(user))
            if not form.is_valid():
                messages.error(request, _("Choisissez une de vos classes."))
                return redirect("scheduling:session_detail", session.pk)
            booking = services.session_book_class(
                session=session, school_class=form.cleaned_data["school_class"], by=user
            )
    except ValidationError as error:
        _errors(request, error)
    else:
        if booking.status == SessionBookingStatus.WAITLISTED:
            messages.info(
                request,
                _(
                    "La séquence est complète : l'inscription est sur liste d'attente. Vous serez prévenu si une "
                    "place se libère."
                ),
            )
        else:
            messages.success(request, _("L'inscription est enregistrée : l'association doit maintenant la confirmer."))
    return redirect("scheduling:session_detail", session.pk)


def _booking_or_403(request, pk, check) -> SessionBooking:
    booking = get_object_or_404(
        SessionBooking.objects.select_related("session__association", "school_class__school", "pupil"), pk=pk
    )
    if not check(request.user, booking):
        raise PermissionDenied
    return booking


@require_POST
def session_booking_decide(request, pk):
    """The association confirms or declines a booking."""
    booking = _booking_or_403(request, pk, lambda user, b: permissions.can_manage_session(user, b.session))
    form = session_forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez de confirmer ou de refuser l'inscription."))
        return redirect("scheduling:session_detail", booking.session_id)
    try:
        if form.cleaned_data["decision"] == "confirm":
            services.session_booking_confirm(booking=booking, by=request.user)
            messages.success(request, _("L'inscription est confirmée."))
        else:
            services.session_booking_decline(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("L'inscription est refusée."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("scheduling:session_detail", booking.session_id)


@require_http_methods(["GET", "POST"])
def session_booking_cancel(request, pk):
    booking = _booking_or_403(request, pk, permissions.can_cancel_session_booking)
    form = session_forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_booking_cancel(booking=booking, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'inscription est annulée."))
            return redirect("scheduling:session_detail", booking.session_id)
    return render(
        request,
        "scheduling/sessions/booking_cancel.html",
        {"form": form, "booking": booking, "session": booking.session, "page_title": _("Annuler une inscription")},
    )


# --- Requests ---------------------------------------------------------------------------------------------------


def _requests_allowed(user) -> bool:
    return permissions.can_request_session(user) or permissions.can_organise_sessions(user)


def request_list(request):
    if not _requests_allowed(request.user):
        raise PermissionDenied
    requests = list(session_selectors.requests_for(request.user).order_by("-created_at")[:200])
    staffed = permissions.staffed_association_ids(request.user)
    return render(
        request,
        "scheduling/sessions/requests.html",
        {
            "page_title": _("Demandes de séquences"),
            "received": [r for r in requests if request.user.is_staff or r.association_id in staffed],
            "sent": [r for r in requests if not (request.user.is_staff or r.association_id in staffed)],
            "can_request": permissions.can_request_session(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def request_create(request):
    if not permissions.can_request_session(request.user):
        raise PermissionDenied
    classes = permissions.bookable_classes(request.user)
    form = session_forms.SessionRequestForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_request = services.session_request_create(
                school_class=data["school_class"],
                by=request.user,
                association=data["association"],
                theme=data["theme"],
                sector=data["sector"],
                weeks=data["weeks"],
                time_ranges=data["time_ranges"],
                time_zone=request.user.time_zone,
                message=data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La demande est envoyée à l'association."))
            return redirect("scheduling:session_request_detail", session_request.pk)
    return render(
        request,
        "scheduling/sessions/request_form.html",
        {"form": form, "page_title": _("Demander une séquence pour ma classe"), "time_zone": request.user.time_zone},
    )


def _request_or_403(request, pk, check) -> SessionRequest:
    session_request = get_object_or_404(
        SessionRequest.objects.select_related("school_class__school", "association", "requested_by", "session"), pk=pk
    )
    if not check(request.user, session_request):
        raise PermissionDenied
    return session_request


def _ranges_display(session_request) -> list[str]:
    return [
        _("%(day)s de %(start)s à %(end)s")
        % {"day": session_forms.WEEKDAY_NAMES[item["weekday"]], "start": item["start"], "end": item["end"]}
        for item in session_request.time_ranges
    ]


def _matching(request, session_request, data=None) -> dict:
    """The association's part of a request page: who takes part, then the common times and the proposal form."""
    association = session_request.association
    match_form = session_forms.MatchForm(data if data is not None else (request.GET or None), association=association)
    context = {"match_form": match_form}
    if match_form.is_bound and match_form.is_valid():
        chosen = match_form.cleaned_data
        common = matching.common_times(
            people=[*chosen["professionals"], *chosen["facilitators"]],
            weeks=session_request.weeks,
            time_ranges=session_request.time_ranges,
            time_zone=session_request.time_zone,
            duration_minutes=chosen["duration_minutes"],
            school_class=session_request.school_class,
        )
        step = datetime.timedelta(minutes=30)
        duration = datetime.timedelta(minutes=chosen["duration_minutes"])
        starts = [moment for item in common for moment in item.starts(duration, step)]
        initial = {
            "host_organisation": chosen["host_organisation"].pk,
            "professionals": [person.pk for person in chosen["professionals"]],
            "facilitators": [person.pk for person in chosen["facilitators"]],
            "duration_minutes": chosen["duration_minutes"],
        }
        context.update(
            common=common,
            proposal_form=session_forms.ProposalForm(
                data if data is not None else None,
                initial=initial,
                association=association,
                starts=starts,
                time_zone=_zone(request),
            ),
        )
    return context


def request_detail(request, pk):
    session_request = _request_or_403(request, pk, permissions.can_view_session_request)
    handles = permissions.can_handle_session_request(request.user, session_request)
    context = {
        "session_request": session_request,
        "page_title": _("Demande : %(theme)s") % {"theme": session_request.theme},
        "handles": handles,
        "answers": permissions.can_answer_session_request(request.user, session_request),
        "ranges": _ranges_display(session_request),
        "reason_form": session_forms.ReasonForm(),
    }
    if handles and session_request.status == RequestStatus.OPEN:
        context.update(_matching(request, session_request))
    return render(request, "scheduling/sessions/request_detail.html", context)


@require_POST
def request_propose(request, pk):
    session_request = _request_or_403(request, pk, permissions.can_handle_session_request)
    context = {
        "session_request": session_request,
        "page_title": _("Demande : %(theme)s") % {"theme": session_request.theme},
        "handles": True,
        "answers": permissions.can_answer_session_request(request.user, session_request),
        "ranges": _ranges_display(session_request),
        "reason_form": session_forms.ReasonForm(),
    }
    if session_request.status == RequestStatus.OPEN:
        context.update(_matching(request, session_request, data=request.POST))
        form = context.get("proposal_form")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                services.session_request_propose(
                    session_request=session_request,
                    by=request.user,
                    host_organisation=data["host_organisation"],
                    professionals=list(data["professionals"]),
                    facilitators=list(data["facilitators"]),
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    video_provider=data["video_provider"],
                    video_url=data["video_url"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("L'horaire est proposé à l'établissement."))
                return redirect("scheduling:session_request_detail", session_request.pk)
    else:
        messages.error(request, _("Cette demande n'attend pas de proposition."))
        return redirect("scheduling:session_request_detail", session_request.pk)
    return render(request, "scheduling/sessions/request_detail.html", context, status=400)


@require_POST
def request_answer(request, pk):
    """The teacher accepts or declines the proposed time."""
    session_request = _request_or_403(request, pk, permissions.can_answer_session_request)
    try:
        if request.POST.get("decision") == "accept":
            services.session_request_accept(session_request=session_request, by=request.user)
            messages.success(request, _("Vous avez accepté l'horaire : l'association va confirmer la séquence."))
        else:
            services.session_request_decline_proposal(
                session_request=session_request, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Vous avez décliné l'horaire : l'association peut en proposer un autre."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("scheduling:session_request_detail", session_request.pk)


@require_POST
def request_decline(request, pk):
    """The association cannot organise the session."""
    session_request = _request_or_403(request, pk, permissions.can_handle_session_request)
    try:
        services.session_request_decline(
            session_request=session_request, by=request.user, answer=request.POST.get("reason", "")
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("La demande est refusée ; l'établissement lira votre réponse."))
    return redirect("scheduling:session_request_detail", session_request.pk)


@require_POST
def request_withdraw(request, pk):
    session_request = _request_or_403(request, pk, permissions.can_answer_session_request)
    try:
        services.session_request_withdraw(session_request=session_request, by=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("La demande est retirée."))
    return redirect("scheduling:session_request_detail", session_request.pk)


# --- A class's calendar ---------------------------------------------------------------------------------------------


def class_calendar(request, pk):
    """The class's sessions and its pupils' tutoring appointments, week by week."""
    school_class = get_object_or_404(SchoolClass.objects.select_related("school"), pk=pk)
    if not permissions.can_view_class_calendar(request.user, school_class):
        raise PermissionDenied
    nav = _week_nav(request, _week(request))
    entries = session_selectors.class_calendar(school_class, start=nav["week_start"], end=nav["week_end"])
    return render(
        request,
        "scheduling/sessions/class_calendar.html",
        {
            "school_class": school_class,
            "page_title": _("Agenda de la classe %(name)s") % {"name": school_class.name},
            "days": _week_days(nav["monday"], entries, _zone(request)),
            "entry_count": len(entries),
            "calendar_url": _calendar_url(),
            **nav,
        },
    )


def _calendar_url() -> str:
    """The page of the person's ICS feed, when the calendar area has it."""
    try:
        return reverse("scheduling:calendar")
    except NoReverseMatch:  # the calendar pages are another area's; not there yet
        return ""


# --- Availability for sessions ------------------------------------------------------------------------------------


def _with_day_names(rules) -> list:
    """Rules with `days_label`: their weekdays in words ("Mardi, Jeudi")."""
    names = dict(session_forms.RRULE_DAYS) | {"SA": _("Samedi"), "SU": _("Dimanche")}
    found = list(rules)
    for rule in found:
        days = rule.rrule.partition("BYDAY=")[2].split(";")[0].split(",")
        rule.days_label = ", ".join(str(names.get(day, day)) for day in days if day)
    return found


@require_http_methods(["GET", "POST"])
def session_availability(request):
    """A professional or a facilitator says when she is free for sessions: weekly windows and days off, in her zone.
    The association matches requests against them."""
    user = request.user
    if not permissions.can_state_session_availability(user):
        raise PermissionDenied
    rule_form = session_forms.SessionAvailabilityForm(prefix="rule")
    day_off_form = session_forms.DayOffForm(prefix="off")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add_rule":
                rule_form = session_forms.SessionAvailabilityForm(request.POST, prefix="rule")
                if rule_form.is_valid():
                    tutoring_services.rule_create(
                        owner=user,
                        purpose=RulePurpose.SESSIONS,
                        time_zone=user.time_zone,
                        slot_minutes=30,
                        format=SlotFormat.GROUP,
                        **rule_form.rule_fields(),
                    )
                    messages.success(request, _("La plage est ajoutée à vos disponibilités."))
                    return redirect("scheduling:session_availability")
            elif action == "add_day_off":
                day_off_form = session_forms.DayOffForm(request.POST, prefix="off")
                if day_off_form.is_valid():
                    tutoring_services.exception_create(
                        owner=user,
                        purpose=RulePurpose.SESSIONS,
                        kind=ExceptionKind.UNAVAILABLE,
                        date=day_off_form.cleaned_data["date"],
                        time_zone=user.time_zone,
                    )
                    messages.success(
                        request, _("Le jour est noté : aucune séquence ne vous sera proposée ce jour-là.")
                    )
                    return redirect("scheduling:session_availability")
            elif action == "delete_rule":
                rule = get_object_or_404(
                    AvailabilityRule, pk=request.POST.get("id") or 0, owner=user, purpose=RulePurpose.SESSIONS
                )
                tutoring_services.rule_delete(rule=rule)
                messages.success(request, _("La plage est supprimée."))
                return redirect("scheduling:session_availability")
            elif action == "delete_day_off":
                exception = get_object_or_404(
                    AvailabilityException, pk=request.POST.get("id") or 0, owner=user, purpose=RulePurpose.SESSIONS
                )
                tutoring_services.exception_delete(exception=exception)
                messages.success(request, _("Le jour d'indisponibilité est supprimé."))
                return redirect("scheduling:session_availability")
            else:
                messages.error(request, _("Action inconnue."))
                return redirect("scheduling:session_availability")
        except ValidationError as error:
            form = rule_form if action == "add_rule" else day_off_form
            form.add_error(None, error.messages)
    return render(
        request,
        "scheduling/sessions/availability.html",
        {
            "page_title": _("Mes disponibilités pour les séquences"),
            "rules": _with_day_names(
                AvailabilityRule.objects.filter(owner=user, purpose=RulePurpose.SESSIONS).order_by(
                    "starts_on", "start_time"
                )
            ),
            "days_off": AvailabilityException.objects.filter(
                owner=user, purpose=RulePurpose.SESSIONS, date__gte=timezone.localdate()
            ).order_by("date"),
            "rule_form": rule_form,
            "day_off_form": day_off_form,
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("sequences/", session_list, name="session_list"),
    path("sequences/planning/", session_planner, name="session_planner"),
    path("sequences/nouvelle/", session_create, name="session_create"),
    path("sequences/<int:pk>/", session_detail, name="session_detail"),
    path("sequences/<int:pk>/modifier/", session_edit, name="session_edit"),
    path("sequences/<int:pk>/publier/", session_publish, name="session_publish"),
    path("sequences/<int:pk>/annuler/", session_cancel, name="session_cancel"),
    path("sequences/<int:pk>/inscrire/", session_book, name="session_book"),
    path("sequences/inscriptions/<int:pk>/decision/", session_booking_decide, name="session_booking_decide"),
    path("sequences/inscriptions/<int:pk>/annuler/", session_booking_cancel, name="session_booking_cancel"),
    path("sequences/demandes/", request_list, name="session_request_list"),
    path("sequences/demandes/nouvelle/", request_create, name="session_request_create"),
    path("sequences/demandes/<int:pk>/", request_detail, name="session_request_detail"),
    path("sequences/demandes/<int:pk>/proposer/", request_propose, name="session_request_propose"),
    path("sequences/demandes/<int:pk>/reponse/", request_answer, name="session_request_answer"),
    path("sequences/demandes/<int:pk>/refuser/", request_decline, name="session_request_decline"),
    path("sequences/demandes/<int:pk>/retirer/", request_withdraw, name="session_request_withdraw"),
    path("sequences/classes/<int:pk>/agenda/", class_calendar, name="class_calendar"),
    path("sequences/disponibilites/", session_availability, name="session_availability"),
]
