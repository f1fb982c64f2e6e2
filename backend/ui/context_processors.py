from django.urls import reverse
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.roles import user_roles

ROLE_NAV = {
    Role.PUPIL: ("ui:home_pupil", Role.PUPIL.label),
    Role.TEACHER: ("ui:home_teacher", Role.TEACHER.label),
    Role.SCHOOL_HEAD: ("ui:home_school_head", Role.SCHOOL_HEAD.label),
    Role.TUTOR: ("ui:home_tutor", Role.TUTOR.label),
    Role.EMPLOYER: ("ui:home_organisation", Role.EMPLOYER.label),
    Role.PROFESSIONAL: ("ui:home_organisation", Role.PROFESSIONAL.label),
    Role.ASSOCIATION_STAFF: ("ui:home_association", Role.ASSOCIATION_STAFF.label),
    Role.PLATFORM_STAFF: ("ui:home_platform", Role.PLATFORM_STAFF.label),
    Role.REFERENT: ("follow_up:territory", Role.REFERENT.label),  # --- referent ---
}

# Who browses the remote discovery sessions (association staff and platform staff plan them from there too).
SESSION_ROLES = {Role.PUPIL, Role.TEACHER, Role.SCHOOL_HEAD, Role.ASSOCIATION_STAFF, Role.PLATFORM_STAFF}
# Who takes part in live rooms: a session's pupils, teachers, professionals and association staff, tutoring's pupil
# and tutor; platform staff enter every session's room.
ROOM_ROLES = {
    Role.PUPIL,
    Role.TEACHER,
    Role.TUTOR,
    Role.PROFESSIONAL,
    Role.ASSOCIATION_STAFF,
    Role.PLATFORM_STAFF,
}


def navigation(request):
    """The header's navigation: one entry per role the person holds, then her account."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        seen = set()
        for role in user_roles(user):
            url = reverse(ROLE_NAV[role][0])
            if url not in seen:
                seen.add(url)
                items.append({"url": url, "label": ROLE_NAV[role][1]})
        if not items:
            items.append({"url": reverse("ui:home"), "label": _("Accueil")})
        items.append({"url": reverse("offers:catalogue"), "label": _("Offres de stage")})
        items.append({"url": reverse("videos:library"), "label": _("Vidéos")})
        roles = set(user_roles(user))
        if roles & SESSION_ROLES:
            items.append({"url": reverse("scheduling:session_list"), "label": _("Séquences à distance")})
        if Role.PUPIL in roles:
            items.append({"url": reverse("scheduling:slots"), "label": _("Tutorat")})
        elif Role.TUTOR in roles:
            items.append({"url": reverse("scheduling:tutor_week"), "label": _("Ma semaine de tutorat")})
        if roles & ROOM_ROLES:
            items.append({"url": reverse("realtime:list"), "label": _("Mes salons")})
        items.append({"url": reverse("scheduling:calendar"), "label": _("Mon agenda")})
        items.append({"url": reverse("accounts:profile"), "label": _("Mon compte")})
    else:
        items = [
            {"url": reverse("ui:welcome"), "label": _("Accueil")},
            {"url": reverse("offers:catalogue"), "label": _("Offres de stage")},
            {"url": reverse("schools:join"), "label": _("Rejoindre ma classe")},
            {"url": reverse("accounts:signup"), "label": _("Créer un compte adulte")},
        ]
    path = getattr(request, "path", "")
    for item in items:
        item["current"] = item["url"] == path
    return {"nav_items": items}
