import zoneinfo

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


class UserTimezoneMiddleware:
    """Renders times in the signed-in person's zone, and makes a pupil whose password was reset by a
    teacher choose her own before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            if user.must_change_password and not request.path.startswith(
                (reverse("accounts:password_change"), reverse("accounts:logout"), "/static/", "/i18n/")
            ):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "password_change_required",
                            "detail": _("Choisissez un nouveau mot de passe sur le site avant d'utiliser l'API."),
                        },
                        status=403,
                    )
                return redirect("accounts:password_change")
        else:
            timezone.deactivate()
        return self.get_response(request)
