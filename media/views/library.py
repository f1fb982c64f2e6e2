"""The library's pages, for every signed-in person (anonymous people are sent to sign in).

- `videos:library` (/videos/): search (GET) by keywords, sector, professional domain, level and duration; the
  result count, cards with thumbnail, captions and audio-description badges, "vue" for what the person watched;
  DSFR pagination. Bad criteria give a message per field and no search.
- `videos:detail` (/videos/<pk>/): the video page, for whoever `can_watch_video` lets watch it (else 404): the
  player (captions on by default, never autoplay), the transcript, offers and upcoming sessions of the sector
  ("Regarder, demander, postuler"), the view count, and for a teacher how many pupils of each class watched it.
  Makers and platform staff preview drafts there, under a banner.
- `videos:progress` (POST /videos/<pk>/progression): the player's reports (`media/static/media/player.js`),
  as JSON `{"played_seconds", "position"}` or form-encoded; answers `{"watched", "played_seconds"}`. Only
  published videos are counted: on a draft previewed by its makers the report is accepted and ignored (204).
"""

import json

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.enums import Role
from backend.accounts.roles import has_role
from backend.offers.search import SearchParams, offer_search
from backend.offers.taxonomy import domain_choices, domains
from backend.offers.views.catalogue import page_numbers
from backend.organisations.enums import Sector
from backend.schools import selectors as school_selectors
from backend.ui.forms import DsfrForm
from media import permissions, playlists, selectors, watching
from media.enums import VideoLevel, VideoState
from media.models import Video
from media.services import VideoError
from scheduling import permissions as session_permissions
from scheduling import session_selectors

PAGE_SIZE = 12
MAX_KEYWORDS_LENGTH = 100
RELATED_COUNT = 3  # offers and sessions shown on a video's page

# Duration buckets of the search, in seconds: (strictly more than, at most).
DURATIONS = {
    "court": (None, 120),
    "moyen": (120, 300),
    "long": (300, None),
}
DURATION_CHOICES = [
    ("", gettext_lazy("Toutes les durées")),
    ("court", gettext_lazy("Moins de 2 minutes")),
    ("moyen", gettext_lazy("De 2 à 5 minutes")),
    ("long", gettext_lazy("Plus de 5 minutes")),
]


def format_duration(seconds: float | None) -> str:
    """ "3 min 20 s", "45 s", "1 h 5 min"; empty when unknown."""
    if seconds is None:
        return ""
    total = max(round(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if minutes and secs:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


def duration_datetime(seconds: float | None) -> str:
    """The duration as an ISO 8601 duration for <time datetime> ("PT3M20S")."""
    if seconds is None:
        return ""
    minutes, secs = divmod(max(round(seconds), 0), 60)
    return f"PT{minutes}M{secs}S"


# --- The search ---------------------------------------------------------------------------------------------------


class LibrarySearchForm(DsfrForm):
    """The library's criteria, read from the query string. All are optional."""

    q = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        required=False,
        max_length=MAX_KEYWORDS_LENGTH,
        help_text=gettext_lazy("Un titre, un métier ou un code ROME, par exemple : électricienne, F1602."),
        error_messages={"max_length": gettext_lazy("Écrivez au plus %(limit_value)d caractères.")},
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Secteur"),
        required=False,
        choices=[("", gettext_lazy("Tous les secteurs")), *Sector.choices],
        error_messages={"invalid_choice": gettext_lazy("Ce secteur n'existe pas : choisissez-en un dans la liste.")},
    )
    domain = forms.ChoiceField(
        label=gettext_lazy("Domaine professionnel"),
        required=False,
        help_text=gettext_lazy("Les domaines du répertoire ROME de France Travail, rangés par secteur."),
        error_messages={
            "invalid_choice": gettext_lazy("Ce domaine professionnel n'existe pas : choisissez-en un dans la liste.")
        },
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Niveau"),
        required=False,
        choices=[
            ("", gettext_lazy("Tous les niveaux")),
            (VideoLevel.COLLEGE, VideoLevel.COLLEGE.label),
            (VideoLevel.LYCEE_PRO, VideoLevel.LYCEE_PRO.label),
        ],
        error_messages={"invalid_choice": gettext_lazy("Ce niveau n'existe pas : choisissez-en un dans la liste.")},
    )
    duration = forms.ChoiceField(
        label=gettext_lazy("Durée"),
        required=False,
        choices=DURATION_CHOICES,
        error_messages={"invalid_choice": gettext_lazy("Cette durée n'existe pas : choisissez-en une dans la liste.")},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": gettext_lazy("Le numéro de page est un nombre entier à partir de 1."),
            "min_value": gettext_lazy("Le numéro de page est un nombre entier à partir de 1."),
            "max_value": gettext_lazy("Ce numéro de page est trop grand."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every domain, grouped by sector (media/static/media/library.js shows only the chosen sector's);
        # a domain of another sector than the one chosen is refused in clean().
        self.fields["domain"].choices = [("", _("Tous les domaines")), *domain_choices()]

    def clean_q(self):
        return " ".join((self.cleaned_data.get("q") or "").split())

    def clean(self):
        cleaned = super().clean()
        sector, domain = cleaned.get("sector"), cleaned.get("domain")
        if sector and domain and domain[0] != sector:
            self.add_error("domain", _("Ce domaine professionnel n'appartient pas au secteur choisi."))
        return cleaned

    def filters(self) -> dict:
        cleaned = self.cleaned_data
        above, at_most = DURATIONS.get(cleaned.get("duration") or "", (None, None))
        return {
            "query": cleaned.get("q") or "",
            "sector": cleaned.get("sector") or "",
            "domain": cleaned.get("domain") or "",
            "level": cleaned.get("level") or "",
            "min_duration": above,
            "max_duration": at_most,
        }


def _card(video: Video, *, sources: dict, watched: set[int], domain_names: dict) -> dict:
    domain = domain_names.get(video.domain)
    own = sources.get(video.pk, {})
    # The <img> fallback: the smallest JPEG (then WebP) thumbnail; the <source>s give the browser the choice.
    first = own.get("jpeg") or own.get("webp") or ""
    return {
        "video": video,
        "url": reverse("videos:detail", args=[video.pk]),
        "maker": video.maker.name if video.maker else "",
        "domain": domain.name if domain else "",
        "duration": format_duration(video.duration),
        "duration_iso": duration_datetime(video.duration),
        "sources": own,
        "image": first.split(" ", 1)[0],
        "watched": video.pk in watched,
    }


@require_GET
def library(request):
    form = LibrarySearchForm(request.GET)
    page = None
    cards = []
    if form.is_valid():
        paginator = Paginator(selectors.library_videos(**form.filters()), PAGE_SIZE)
        page = paginator.get_page(form.cleaned_data.get("page") or 1)
        cards = _cards(request.user, list(page.object_list))
    user = request.user
    return render(
        request,
        "media/library.html",
        {
            "page_title": _page_title(form, page),
            "form": form,
            "page": page,
            "cards": cards,
            "page_numbers": page_numbers(page.number, page.paginator.num_pages) if page else [],
            "can_make": permissions.can_upload_videos(user),
            "can_manage_playlists": playlists.can_manage_playlists(user),
            "can_see_assigned": playlists.can_see_assigned(user),
        },
    )


def _cards(user, videos: list[Video]) -> list[dict]:
    """The cards of a page of results: thumbnails and what she watched in one query each."""
    sources = selectors.thumbnail_sources_for(videos)
    watched = watching.watched_ids(user, [video.pk for video in videos])
    names = domains()
    return [_card(video, sources=sources, watched=watched, domain_names=names) for video in videos]


def _page_title(form, page) -> str:
    if page is None:
        return _("Erreur dans la recherche — Vidéos des métiers")
    title = _("Vidéos des métiers")
    if form.cleaned_data.get("q"):
        title += " " + _("« %(keywords)s »") % {"keywords": form.cleaned_data["q"]}
    if page.paginator.num_pages > 1:
        title += " — " + _("page %(page)s sur %(pages)s") % {"page": page.number, "pages": page.paginator.num_pages}
    return title


# --- The video page -------------------------------------------------------------------------------------------------


def _watchable(request, pk) -> Video:
    video = get_object_or_404(Video.objects.select_related("host_organisation", "association"), pk=pk)
    if not permissions.can_watch_video(request.user, video):
        raise Http404
    return video


def _related_offers(user, video: Video) -> dict:
    """Up to three offers of the video's sector, as the catalogue shows them to this person (for a pupil, near
    her school or remote), and how many there are."""
    result = offer_search(user=user, params=SearchParams(sector=video.sector, page_size=RELATED_COUNT))
    return {
        "offers": result.offers,
        "count": result.count,
        "count_is_exact": result.count_is_exact,
        "url": reverse("offers:catalogue") + f"?sector={video.sector}",
    }


def _related_sessions(user, video: Video) -> dict | None:
    """Up to three upcoming published sessions of the video's sector (a session's `sector` holds a
    professional domain code, or a sector letter); None for whoever may not browse sessions."""
    if not session_permissions.can_browse_sessions(user):
        return None
    sessions = list(session_selectors.published_sessions(sector=video.domain or video.sector)[:RELATED_COUNT])
    if not sessions and video.domain:
        sessions = list(session_selectors.published_sessions(sector=video.sector)[:RELATED_COUNT])
    url = reverse("scheduling:session_list")
    if video.domain:
        url += f"?sector={video.domain}"
    return {"sessions": sessions, "url": url}


@require_GET
def video_detail(request, pk: int):
    video = _watchable(request, pk)
    user = request.user
    published = video.state == VideoState.PUBLISHED
    stored = selectors.video_file(video)
    watched = published and video.pk in watching.watched_ids(user, [video.pk])
    domain = domains().get(video.domain)
    classes = []
    if published and has_role(user, Role.TEACHER):
        taught = list(school_selectors.taught_classes(user).order_by("name", "pk"))
        classes = watching.class_view_counts(video, taught) if taught else []
    return render(
        request,
        "media/video_detail.html",
        {
            "page_title": video.title,
            "video": video,
            "preview": not published,
            "maker": video.maker.name if video.maker else "",
            "domain": domain.name if domain else "",
            "duration": format_duration(video.duration),
            "duration_iso": duration_datetime(video.duration),
            "file": stored,
            "tracks": selectors.caption_tracks(video),
            "poster": selectors.poster_url(video),
            "watched": watched,
            "view_count": watching.view_count(video) if published else 0,
            "class_counts": classes,
            "related_offers": _related_offers(user, video) if published else None,
            "related_sessions": _related_sessions(user, video) if published else None,
            "progress_url": reverse("videos:progress", args=[video.pk]) if published else "",
        },
    )


# --- The player's reports -----------------------------------------------------------------------------------------


def _bad_request(detail: str) -> JsonResponse:
    return JsonResponse({"code": "invalid", "detail": detail}, status=400)


@require_POST
def progress(request, pk: int):
    """The player reports the seconds played and the furthest position. 404 for a video one may not watch;
    204 (nothing written) on a video that is not published; 400 with a `detail` for values not believable."""
    video = _watchable(request, pk)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _bad_request(_("Le corps de la requête n'est pas du JSON valide."))
        if not isinstance(data, dict):
            return _bad_request(_("Le corps de la requête doit être un objet JSON."))
    else:
        data = request.POST
    if not watching.is_counted(video):
        return HttpResponse(status=204)
    try:
        record = watching.progress_record(
            user=request.user, video=video, played_seconds=data.get("played_seconds"), position=data.get("position")
        )
    except VideoError as error:
        return _bad_request(" ".join(error.messages))
    return JsonResponse(
        {
            "watched": bool(record and record.watched_at),
            "played_seconds": record.played_seconds if record else 0.0,
        }
    )
