"""Teachers' playlists and what pupils were given: the list of one's playlists (and creating one), a playlist's
page (title and instructions, its videos in order, adding videos from a search, giving it to a class), deleting
it, who watched what in a class, and the pupil's "Vidéos à voir".

Rules, writes and reads are in `media.playlists`. A playlist is its owner's: anyone else gets a 404, as for a
playlist that does not exist; the progress of a class is for whoever manages the class (404 for others)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.organisations.enums import Sector
from backend.schools.models import SchoolClass
from backend.schools.selectors import pupil_current_class
from backend.ui.forms import DsfrForm
from media import playlists
from media.models import Playlist, PlaylistAssignment, Video
from media.selectors import poster_url
from media.views.library import duration_datetime, format_duration

# --- Forms -------------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PlaylistForm(DsfrForm):
    title = forms.CharField(label=gettext_lazy("Titre de la liste"), max_length=playlists.TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=gettext_lazy("Consigne pour les élèves"),
        help_text=gettext_lazy("Ce que les élèves doivent faire en regardant ces vidéos. Facultatif."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=playlists.DESCRIPTION_MAX_LENGTH,
        required=False,
    )


class VideoSearchForm(DsfrForm):
    q = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        help_text=gettext_lazy("Un titre, un métier ou un code ROME."),
        max_length=100,
        required=False,
    )
    secteur = forms.ChoiceField(
        label=gettext_lazy("Secteur"),
        choices=[("", gettext_lazy("Tous les secteurs")), *Sector.choices],
        required=False,
    )


class AssignForm(DsfrForm):
    school_class = forms.ModelChoiceField(
        label=gettext_lazy("Classe"),
        queryset=SchoolClass.objects.none(),
        empty_label=gettext_lazy("Choisir une classe"),
        error_messages={"invalid_choice": gettext_lazy("Choisissez une de vos classes.")},
    )
    due_date = forms.DateField(
        label=gettext_lazy("À voir avant le"),
        help_text=gettext_lazy("Facultatif. Aujourd'hui ou plus tard."),
        widget=DateInput,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = playlists.assignable_classes(user)
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()


# --- Helpers -----------------------------------------------------------------------------------------------------


def _own_playlist(request, pk) -> Playlist:
    playlist = get_object_or_404(Playlist, pk=pk)
    if not playlists.can_edit(request.user, playlist):
        raise Http404
    return playlist


def _errors(request, error: playlists.PlaylistError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form: forms.Form) -> None:
    for field_name, errors in form.errors.items():
        label = form.fields[field_name].label if field_name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


def _assignment_of(playlist: Playlist, class_id: str) -> PlaylistAssignment | None:
    try:
        class_pk = int(class_id)
    except ValueError:
        return None
    return (
        PlaylistAssignment.objects.select_related("school_class")
        .filter(playlist=playlist, school_class_id=class_pk)
        .first()
    )


def _detail_url(playlist: Playlist, *, query: dict | None = None, anchor: str = "") -> str:
    url = reverse("videos:playlist_detail", kwargs={"pk": playlist.pk})
    query = {key: value for key, value in (query or {}).items() if value}
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


def _video_line(video: Video, **extra) -> dict:
    """What a line or a card shows of a video: its address, maker and duration."""
    return {
        "video": video,
        "url": reverse("videos:detail", args=[video.pk]),
        "maker": video.maker.name if video.maker else "",
        "duration": format_duration(video.duration),
        "duration_iso": duration_datetime(video.duration),
        **extra,
    }


def _video_card(entry: playlists.AssignedVideo) -> dict:
    # The <img> fallback: the smallest JPEG (then WebP) thumbnail, else the poster.
    first = entry.sources.get("jpeg") or entry.sources.get("webp") or ""
    image = first.split(" ", 1)[0] or poster_url(entry.video)
    return _video_line(entry.video, watched=entry.watched, sources=entry.sources, image=image)


# --- Pages -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def playlist_list(request):
    """The teacher's lists, with a form to create one."""
    if not playlists.can_manage_playlists(request.user):
        raise PermissionDenied
    form = PlaylistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            playlist = playlists.playlist_create(
                owner=request.user, title=form.cleaned_data["title"], description=form.cleaned_data["description"]
            )
        except playlists.PlaylistError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("La liste est créée : ajoutez-y des vidéos."))
            return redirect("videos:playlist_detail", pk=playlist.pk)
    return render(
        request,
        "media/playlists.html",
        {
            "page_title": _("Mes listes de vidéos"),
            "playlists": playlists.owned_playlists(request.user),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def playlist_detail(request, pk):
    """A list's page: its title and instructions (POST here), its videos, the search to add some, its classes."""
    playlist = _own_playlist(request, pk)
    edit_form = PlaylistForm(
        request.POST or None, initial={"title": playlist.title, "description": playlist.description}
    )
    if request.method == "POST" and edit_form.is_valid():
        try:
            playlists.playlist_update(
                playlist=playlist,
                title=edit_form.cleaned_data["title"],
                description=edit_form.cleaned_data["description"],
            )
        except playlists.PlaylistError as error:
            for message in error.messages:
                edit_form.add_error(None, message)
        else:
            messages.success(request, _("La liste est enregistrée."))
            return redirect("videos:playlist_detail", pk=playlist.pk)

    search_form = VideoSearchForm(request.GET or None)
    searched = search_form.is_bound
    results, result_count = [], 0
    if not searched:
        results, result_count = playlists.video_search()
    elif search_form.is_valid():
        results, result_count = playlists.video_search(
            query=search_form.cleaned_data["q"], sector=search_form.cleaned_data["secteur"]
        )
    items = playlists.playlist_items(playlist)
    in_list = {item.video_id for item in items}
    assignments = playlists.playlist_assignments(playlist)
    assign_form = AssignForm(user=request.user)
    return render(
        request,
        "media/playlists_detail.html",
        {
            "page_title": playlist.title,
            "playlist": playlist,
            "edit_form": edit_form,
            "items": [_video_line(item.video) for item in items],
            "hidden_count": playlists.hidden_item_count(items),
            "search_form": search_form,
            "searched": searched,
            "search_query": {key: request.GET.get(key, "") for key in ("q", "secteur")},
            "results": [_video_line(video, in_list=video.pk in in_list) for video in results],
            "result_count": result_count,
            "assignments": assignments,
            "assign_form": assign_form,
            "has_classes": assign_form.fields["school_class"].queryset.exists(),
            "full": len(items) >= playlists.MAX_VIDEOS,
        },
    )


@require_POST
def playlist_items(request, pk):
    """Adds, removes or moves one video (`action` = add, remove, up or down; `video` = its id)."""
    playlist = _own_playlist(request, pk)
    action = request.POST.get("action")
    search = {key: request.POST.get(key, "") for key in ("q", "secteur")}
    if action not in ("add", "remove", playlists.UP, playlists.DOWN):
        messages.error(request, _("Action inconnue."))
        return redirect(_detail_url(playlist))
    try:
        video = Video.objects.get(pk=int(request.POST.get("video", "")))
    except (ValueError, Video.DoesNotExist):
        messages.error(request, _("Cette vidéo n'existe pas ou n'est plus publiée."))
        return redirect(_detail_url(playlist, query=search if action == "add" else None))
    try:
        if action == "add":
            playlists.item_add(playlist=playlist, video=video)
        elif action == "remove":
            playlists.item_remove(playlist=playlist, video=video)
        else:
            playlists.item_move(playlist=playlist, video=video, direction=action)
    except playlists.PlaylistError as error:
        _errors(request, error)
        anchor = "ajouter" if action == "add" else "videos"
        return redirect(_detail_url(playlist, query=search if action == "add" else None, anchor=anchor))
    if action == "add":
        messages.success(request, _("« %(title)s » est ajoutée à la liste.") % {"title": video.title})
        return redirect(_detail_url(playlist, query=search, anchor="ajouter"))
    if action == "remove":
        messages.success(request, _("« %(title)s » est retirée de la liste.") % {"title": video.title})
        return redirect(_detail_url(playlist, anchor="videos"))
    messages.success(request, _("« %(title)s » est déplacée.") % {"title": video.title})
    return redirect(_detail_url(playlist, anchor=f"video-{video.pk}"))


@require_POST
def playlist_assign(request, pk):
    """Gives the list to one of the teacher's classes (`action=assign`, `school_class`, `due_date`) or takes it
    back (`action=unassign`, `school_class`)."""
    playlist = _own_playlist(request, pk)
    action = request.POST.get("action")
    if action == "assign":
        form = AssignForm(request.POST, user=request.user)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(_detail_url(playlist, anchor="classes"))
        school_class = form.cleaned_data["school_class"]
        try:
            playlists.assign(
                playlist=playlist, school_class=school_class, by=request.user, due_date=form.cleaned_data["due_date"]
            )
        except playlists.PlaylistError as error:
            _errors(request, error)
        else:
            messages.success(request, _("La liste est donnée à la classe %(name)s.") % {"name": school_class.name})
    elif action == "unassign":
        assignment = _assignment_of(playlist, request.POST.get("school_class", ""))
        if assignment is None:
            messages.error(request, _("Cette liste n'est pas donnée à cette classe."))
        else:
            playlists.unassign(playlist=playlist, school_class=assignment.school_class)
            messages.success(
                request,
                _("La classe %(name)s ne voit plus cette liste.") % {"name": assignment.school_class.name},
            )
    else:
        messages.error(request, _("Action inconnue."))
    return redirect(_detail_url(playlist, anchor="classes"))


@require_http_methods(["GET", "POST"])
def playlist_delete(request, pk):
    """A confirmation page; the POST deletes the list."""
    playlist = _own_playlist(request, pk)
    if request.method == "POST":
        title = playlist.title
        playlists.playlist_delete(playlist=playlist)
        messages.success(request, _("La liste « %(title)s » est supprimée.") % {"title": title})
        return redirect("videos:playlists")
    return render(
        request,
        "media/playlists_delete.html",
        {
            "page_title": _("Supprimer la liste « %(title)s »") % {"title": playlist.title},
            "playlist": playlist,
            "assignments": playlists.playlist_assignments(playlist),
        },
    )


def playlist_progress(request, pk, class_pk):
    """Who of the class watched what of the list."""
    assignment = get_object_or_404(
        PlaylistAssignment.objects.select_related("playlist__owner", "school_class__school"),
        playlist_id=pk,
        school_class_id=class_pk,
    )
    if not playlists.can_view_progress(request.user, assignment.school_class):
        raise Http404
    return render(
        request,
        "media/playlists_progress.html",
        {
            "page_title": _("%(playlist)s — %(name)s")
            % {
                "playlist": assignment.playlist.title,
                "name": assignment.school_class.name,
            },
            "assignment": assignment,
            "playlist": assignment.playlist,
            "school_class": assignment.school_class,
            "is_owner": playlists.can_edit(request.user, assignment.playlist),
            "progress": playlists.class_progress(assignment.playlist, assignment.school_class),
        },
    )


def assigned(request):
    """The pupil's "Vidéos à voir": the lists given to her current class and what she has watched of them."""
    if not playlists.can_see_assigned(request.user):
        raise PermissionDenied
    school_class = pupil_current_class(request.user)
    return render(
        request,
        "media/assigned.html",
        {
            "page_title": _("Vidéos à voir"),
            "school_class": school_class,
            "entries": [
                {"assigned": entry, "cards": [_video_card(video) for video in entry.videos]}
                for entry in playlists.pupil_assigned(request.user, school_class=school_class)
            ],
        },
    )
