from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import services as account_services
from backend.accounts.enums import MembershipStatus
from backend.accounts.models import User
from backend.accounts.views import sign_in
from backend.schools import forms, permissions, selectors, services
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff

JOIN_SESSION_KEY = "join_class"


def _client_id(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Step 1 for a pupil: the code her teacher gave."""
    if request.user.is_authenticated:
        messages.info(request, _("Tu es déjà connecté : tu fais déjà partie d'une classe."))
        return redirect("ui:home")
    form = forms.JoinCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            school_class = services.join_code_check(code=form.cleaned_data["code"], client_id=_client_id(request))
        except services.SchoolError as error:
            form.add_error("code", str(error))
        else:
            request.session[JOIN_SESSION_KEY] = {"class": school_class.pk, "code": school_class.join_code}
            return redirect("schools:join_details")
    return render(request, "schools/join.html", {"form": form, "page_title": _("Rejoindre ma classe")})


@login_not_required
@require_http_methods(["GET", "POST"])
def join_details(request):
    """Step 2: the pupil tells who she is and chooses her password."""
    pending = request.session.get(JOIN_SESSION_KEY)
    school_class = (
        SchoolClass.objects.select_related("school__commune").filter(pk=(pending or {}).get("class")).first()
    )
    if request.user.is_authenticated or school_class is None:
        return redirect("schools:join")
    form = forms.PupilJoinForm(request.POST or None, initial={"time_zone": school_class.school.commune.time_zone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pupil = services.pupil_join_class(
                school_class=school_class,
                code=pending["code"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                password=data["password1"],
                time_zone=data["time_zone"],
            )
        except services.SchoolError as error:
            del request.session[JOIN_SESSION_KEY]
            messages.error(request, str(error))
            return redirect("schools:join")
        del request.session[JOIN_SESSION_KEY]
        sign_in(request, pupil)
        request.session["new_pupil_identifier"] = pupil.username
        return redirect("ui:home")
    return render(
        request,
        "schools/join_details.html",
        {"form": form, "school_class": school_class, "page_title": _("Créer mon compte d'élève")},
    )


@require_http_methods(["GET", "POST"])
def school_join_request(request):
    if request.user.is_pupil:
        raise PermissionDenied
    form = forms.SchoolJoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_staff_request(user=request.user, school=form.school, role=form.cleaned_data["role"])
        except services.SchoolError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Votre demande est envoyée. La direction de l'établissement va la confirmer."))
            return redirect("ui:home")
    return render(
        request,
        "schools/school_join_request.html",
        {"form": form, "page_title": _("Rejoindre l'équipe d'un établissement")},
    )


def _school_for_confirmation(request, uai) -> School:
    school = get_object_or_404(School, uai=uai.upper())
    if not permissions.can_confirm_staff(request.user, school):
        raise PermissionDenied
    return school


def school_team(request, uai):
    school = _school_for_confirmation(request, uai)
    memberships = (
        SchoolStaff.objects.filter(school=school).select_related("user").order_by("status", "user__last_name")
    )
    pending = [m for m in memberships if m.status == MembershipStatus.PENDING]
    for membership in pending:
        membership.decide_url = reverse("schools:team_decide", args=[school.uai, membership.pk])
    return render(
        request,
        "schools/school_team.html",
        {
            "school": school,
            "pending": pending,
            "confirmed": [m for m in memberships if m.status == MembershipStatus.CONFIRMED],
            "classes": selectors.classes_with_counts(school.classes.filter(archived_at__isnull=True)),
            "page_title": _("Équipe de l'établissement"),
        },
    )


@require_POST
def school_team_decide(request, uai, membership_id):
    school = _school_for_confirmation(request, uai)
    membership = get_object_or_404(SchoolStaff, pk=membership_id, school=school)
    if request.POST.get("decision") == "confirm":
        services.school_staff_confirm(membership=membership, by=request.user)
        messages.success(request, _("%(name)s fait maintenant partie de l'équipe.") % {"name": membership.user})
    elif request.POST.get("decision") == "refuse":
        try:
            services.school_staff_refuse(membership=membership)
        except services.SchoolError as error:
            messages.error(request, str(error))
        else:
            messages.info(request, _("La demande de %(name)s est refusée.") % {"name": membership.user})
    else:
        messages.error(request, _("Choisissez de confirmer ou de refuser la demande."))
    return redirect("schools:team", uai=school.uai)


def _staff_schools(user):
    return School.objects.filter(staff__user=user, staff__status=MembershipStatus.CONFIRMED).distinct()


@require_http_methods(["GET", "POST"])
def class_create(request):
    schools = _staff_schools(request.user)
    if not schools.exists():
        raise PermissionDenied
    form = forms.SchoolClassForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school_class = services.school_class_create(
                school=data["school"],
                teacher=request.user,
                name=data["name"],
                level=data["level"],
                specialty=data["specialty"],
                school_year=data["school_year"],
            )
        except services.SchoolError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("La classe est créée. Donnez son code à vos élèves pour qu'ils la rejoignent.")
            )
            return redirect("schools:class_detail", pk=school_class.pk)
    return render(request, "schools/class_form.html", {"form": form, "page_title": _("Créer une classe")})


def _managed_class(request, pk) -> SchoolClass:
    school_class = get_object_or_404(SchoolClass.objects.select_related("school"), pk=pk)
    if not permissions.can_manage_class(request.user, school_class):
        raise PermissionDenied
    return school_class


def class_detail(request, pk):
    school_class = _managed_class(request, pk)
    return render(
        request,
        "schools/class_detail.html",
        {
            "school_class": school_class,
            "enrolments": selectors.current_pupils(school_class),
            "teachers": school_class.teachers.order_by("last_name"),
            # The video lists given to the class (media app), each linking to who watched what: one query.
            "video_playlists": school_class.video_playlists.select_related("playlist").order_by("-assigned_at"),
            "join_url": request.build_absolute_uri("/rejoindre/"),
            "page_title": str(school_class.name),
        },
    )


@require_http_methods(["GET", "POST"])
def class_internship_week(request, pk):
    """The class's internship week, set by its teachers or the school's heads."""
    school_class = _managed_class(request, pk)
    form = forms.InternshipWeekForm(
        request.POST or None, school_class=school_class, initial={"week": school_class.internship_week}
    )
    if request.method == "POST" and form.is_valid():
        services.class_internship_week_set(school_class=school_class, week=form.cleaned_data["week"])
        if form.cleaned_data["week"]:
            messages.success(
                request,
                _("Semaine de stage enregistrée : celle du %(date)s.")
                % {"date": form.cleaned_data["week"].strftime("%d/%m/%Y")},
            )
        else:
            messages.success(request, _("La semaine de stage de la classe est effacée."))
        return redirect(_safe_next(request) or reverse("schools:class_detail", args=[school_class.pk]))
    return render(
        request,
        "schools/class_internship_week.html",
        {
            "school_class": school_class,
            "form": form,
            "next": _safe_next(request),
            "page_title": _("Semaine de stage de la classe %(name)s") % {"name": school_class.name},
        },
    )


def _safe_next(request) -> str | None:
    """Back to the page that sent her here (one of ours), if any."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return None


@require_POST
def class_join_code(request, pk):
    school_class = _managed_class(request, pk)
    action = request.POST.get("action")
    if action == "rotate":
        services.join_code_rotate(school_class=school_class)
        messages.success(
            request, _("Nouveau code : %(code)s. L'ancien ne fonctionne plus.") % {"code": school_class.join_code}
        )
    elif action in ("disable", "enable"):
        services.join_code_set_enabled(school_class=school_class, enabled=action == "enable")
        if action == "enable":
            messages.success(request, _("Les inscriptions sont ouvertes."))
        else:
            messages.success(request, _("Les inscriptions sont fermées : le code ne fonctionne plus."))
    else:
        messages.error(request, _("Action inconnue."))
    return redirect("schools:class_detail", pk=school_class.pk)


def _class_pupil(school_class, pupil_pk) -> User:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("pupil__pupil_profile"),
        school_class=school_class,
        pupil_id=pupil_pk,
        left_at__isnull=True,
    )
    return enrolment.pupil


@require_POST
def pupil_consent(request, pk, pupil_pk):
    school_class = _managed_class(request, pk)
    pupil = _class_pupil(school_class, pupil_pk)
    try:
        account_services.pupil_consent_record(pupil=pupil, recorded_by=request.user)
    except account_services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("L'accord du représentant légal de %(name)s est enregistré.") % {"name": pupil.display_name}
        )
    return redirect("schools:class_detail", pk=school_class.pk)


@require_POST
def pupil_password_reset(request, pk, pupil_pk):
    school_class = _managed_class(request, pk)
    pupil = _class_pupil(school_class, pupil_pk)
    with transaction.atomic():
        password = account_services.pupil_password_reset(pupil=pupil)
    response = render(
        request,
        "schools/pupil_password_reset.html",
        {
            "school_class": school_class,
            "pupil": pupil,
            "password": password,
            "page_title": _("Mot de passe provisoire"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
