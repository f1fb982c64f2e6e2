from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend.accounts.enums import Role
from backend.accounts.roles import has_role, user_roles
from backend.ui import homes

ROLE_HOMES = {
    Role.PUPIL: ("ui:home_pupil", homes.pupil_home, "ui/home_pupil.html"),
    Role.TEACHER: ("ui:home_teacher", homes.teacher_home, "ui/home_teacher.html"),
    Role.SCHOOL_HEAD: ("ui:home_school_head", homes.school_head_home, "ui/home_school_head.html"),
    Role.TUTOR: ("ui:home_tutor", homes.tutor_home, "ui/home_tutor.html"),
    Role.PROFESSIONAL: ("ui:home_organisation", homes.organisation_home, "ui/home_organisation.html"),
    Role.EMPLOYER: ("ui:home_organisation", homes.organisation_home, "ui/home_organisation.html"),
    Role.ASSOCIATION_STAFF: ("ui:home_association", homes.association_home, "ui/home_association.html"),
    Role.PLATFORM_STAFF: ("ui:home_platform", homes.platform_staff_home, "ui/home_platform.html"),
    Role.REFERENT: ("follow_up:territory", None, None),  # --- referent --- her home is the territory view
}


@login_not_required
def welcome(request):
    return render(request, "ui/welcome.html", {"page_title": _("Accueil")})


def home(request):
    """Lands each person on the home of her first role, or on the page that helps her get one."""
    roles = user_roles(request.user)
    if roles:
        return redirect(ROLE_HOMES[roles[0]][0])
    return render(
        request,
        "ui/home_onboarding.html",
        {"pending": homes.pending_requests(request.user), "page_title": _("Bienvenue sur Passerelle")},
    )


def _role_home(*roles: Role, title: str):
    url_name, build, template = ROLE_HOMES[roles[0]]

    def view(request):
        if not has_role(request.user, *roles):
            raise PermissionDenied
        context = build(request.user)
        context["page_title"] = _(title)
        context["pending"] = homes.pending_requests(request.user)
        if request.user.is_pupil:
            context["new_identifier"] = request.session.pop("new_pupil_identifier", None)
        return render(request, template, context)

    view.__name__ = url_name.split(":")[1]
    return view


home_pupil = _role_home(Role.PUPIL, title=gettext_noop("Mon espace élève"))
home_teacher = _role_home(Role.TEACHER, title=gettext_noop("Mes classes"))
home_school_head = _role_home(Role.SCHOOL_HEAD, title=gettext_noop("Mon établissement"))
home_tutor = _role_home(Role.TUTOR, title=gettext_noop("Mon espace tuteur"))
home_organisation = _role_home(Role.EMPLOYER, Role.PROFESSIONAL, title=gettext_noop("Ma structure"))
home_association = _role_home(Role.ASSOCIATION_STAFF, title=gettext_noop("Mon association"))
home_platform = _role_home(Role.PLATFORM_STAFF, title=gettext_noop("Pilotage de la plateforme"))


@login_not_required
def accessibility(request):
    return render(request, "ui/accessibility.html", {"page_title": _("Déclaration d'accessibilité")})


@login_not_required
def legal(request):
    return render(request, "ui/legal.html", {"page_title": _("Mentions légales")})


@login_not_required
def privacy(request):
    return render(request, "ui/privacy.html", {"page_title": _("Données personnelles")})
