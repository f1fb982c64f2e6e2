"""Scheduling pages: calendar — "Mon agenda" (the person's upcoming appointments and sessions, and her private
feed: create, copy, renew, revoke) and the feed itself, read by calendar applications without a session."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from scheduling import calendar_selectors, calendar_services, ics

NEW_FEED_SESSION_KEY = "scheduling:new_feed_url"
UPCOMING_LIMIT = 50


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("scheduling:feed", kwargs={"token": token}))


@require_http_methods(["GET", "POST"])
def calendar(request):
    """Her upcoming events as a table, and her private feed. A new feed URL is shown once, right after it is
    made (kept in the session until that page is shown)."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "renew"):
            try:
                token = calendar_services.feed_create(user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                request.session[NEW_FEED_SESSION_KEY] = _feed_url(request, token)
                if action == "renew":
                    messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
        elif action == "revoke":
            if calendar_services.feed_revoke(user=request.user):
                messages.success(request, _("Votre adresse d'agenda est désactivée : plus personne ne peut la lire."))
        else:
            messages.error(request, _("Action inconnue."))
        return redirect("scheduling:calendar")

    now = timezone.now()
    upcoming = [event for event in calendar_selectors.events_for(request.user, now=now) if event.ends_at >= now]
    response = render(
        request,
        "scheduling/calendar/calendar.html",
        {
            "page_title": _("Mon agenda"),
            "feed": calendar_selectors.live_feed(request.user),
            "new_feed_url": request.session.pop(NEW_FEED_SESSION_KEY, None),
            "events": upcoming[:UPCOMING_LIMIT],
            "more_events": len(upcoming) > UPCOMING_LIMIT,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
@never_cache
def feed(request, token):
    """The private ICS feed: 404 for an unknown or revoked token, never stored by a proxy."""
    found = calendar_selectors.feed_by_token(token)
    if found is None:
        raise Http404
    user = found.user
    calendar_services.feed_touch(feed=found)
    with timezone.override(user.time_zone):
        body = ics.calendar_bytes(
            calendar_selectors.events_for(user), name=_("Passerelle — %(name)s") % {"name": user.display_name}
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="passerelle.ics"'
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [
    path("agenda/", calendar, name="calendar"),
    path("calendrier/<str:token>.ics", feed, name="feed"),
]
