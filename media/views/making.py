"""The makers' pages: their videos, the form, the manage page (file upload with its progress bar, processing,
captions, poster, the moves of the lifecycle, the history) and the moderation's review queue.

Host organisations' members and associations' staff make videos (`permissions.can_upload_videos`); a video is
managed by its maker's members and by platform staff (`permissions.can_manage_video`, a 404 for anyone else).
Writes go through `media.services`; its refusals are shown on the page, and nothing is written then. The file
itself is sent by `media/static/media/upload.js` through the chunk API (`/api/v1/videos/uploads/`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from media import captions, forms, images, permissions, rules, selectors, services, watching
from media.enums import ProcessingStatus, VideoEventKind, VideoState
from media.models import Caption, Video

# The chunk size the page asks for, within what the server accepts (`max_chunk_size` of the upload).
UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024
PROCESSING_POLL_SECONDS = 3

TRANSITION_DONE = {
    "submit": gettext_lazy("La vidéo est envoyée pour validation : l'équipe de la plateforme va la regarder."),
    "publish": gettext_lazy("La vidéo est publiée : elle apparaît dans la vidéothèque."),
    "reject": gettext_lazy("La vidéo est renvoyée en brouillon à ses auteurs, avec votre message."),
    "withdraw": gettext_lazy("La vidéo est retirée : elle n'apparaît plus dans la vidéothèque."),
    "reopen": gettext_lazy("La vidéo est remise en brouillon : vous pouvez la modifier."),
}


def _managed(request, pk) -> Video:
    video = selectors.managed_video(pk)
    if video is None or not permissions.can_manage_video(request.user, video):
        raise Http404
    return video


def _makers(user) -> list:
    return [*permissions.maker_organisations(user).order_by("name"), *permissions.maker_associations(user)]


def _error_summary(*forms_) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every error of these bound forms, for the summary above them. A form may
    come as (form, anchor) to point its non-field errors at the place that shows them."""
    summary = []
    for item in forms_:
        form, anchor = item if isinstance(item, tuple) else (item, "")
        if form is None or not form.is_bound:
            continue
        for bound in form.visible_fields():
            summary.extend((bound.id_for_label, str(bound.label), message) for message in bound.errors)
        summary.extend((anchor, "", message) for message in form.non_field_errors())
    return summary


SIZE_UNITS = (
    (1024**3, gettext_lazy("%(value)s Go")),
    (1024**2, gettext_lazy("%(value)s Mo")),
    (1024, gettext_lazy("%(value)s Ko")),
)


def size_label(size: int) -> str:
    """A size as the upload page writes it too (upload.js, same words): "12,5 Mo", "2 Go", "800 octets"."""
    for unit, words in SIZE_UNITS:
        if size >= unit:
            return str(words) % {"value": floatformat(size / unit, -1)}
    return _("%(value)s octets") % {"value": size}


def duration_label(seconds: float | None) -> str:
    """The duration as people say it: "3 min 20 s", "45 s", "1 h 02 min"."""
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": secs}
    return _("%(seconds)s s") % {"seconds": secs}


# --- The list and the review queue ---------------------------------------------------------------------------


@require_GET
def mine(request):
    """The videos of the person's organisations and associations (every video for platform staff): state,
    processing, what still blocks publication, views."""
    can_make = permissions.can_upload_videos(request.user)
    if not (can_make or permissions.can_moderate_videos(request.user)):
        raise PermissionDenied
    videos = list(selectors.makers_videos(request.user))
    views = watching.view_counts(videos)
    for video in videos:
        video.blockers = selectors.listed_blockers(video) if video.state == VideoState.DRAFT else []
        video.views = views.get(video.pk, 0)
    return render(
        request,
        "media/mine.html",
        {"videos": videos, "can_make": can_make, "page_title": _("Mes vidéos")},
    )


@require_GET
def review(request):
    """Platform staff: the videos waiting for validation, oldest first."""
    if not permissions.can_moderate_videos(request.user):
        raise PermissionDenied
    videos = list(selectors.review_queue())
    for video in videos:
        video.blockers = selectors.listed_blockers(video)
    return render(request, "media/review.html", {"videos": videos, "page_title": _("Vidéos à valider")})


# --- The form --------------------------------------------------------------------------------------------------


def _render_form(request, form, video=None, *, refused=""):
    title = _("Nouvelle vidéo") if video is None else _("Modifier « %(title)s »") % {"title": video.title}
    return render(
        request,
        "media/video_form.html",
        {
            "form": form,
            "video": video,
            "refused": refused,
            "error_summary": _error_summary(form),
            "page_title": title,
        },
    )


@require_http_methods(["GET", "POST"])
def create(request):
    """A new draft; then to its manage page, where the file, captions and poster are added."""
    if not permissions.can_upload_videos(request.user):
        raise PermissionDenied
    form = forms.VideoForm(request.POST or None, makers=_makers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            video = services.video_create(by=request.user, maker=form.chosen_maker(), **form.video_fields())
        except services.VideoError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Le brouillon est enregistré. Ajoutez maintenant le fichier vidéo, les sous-titres et l'affiche."),
            )
            return redirect("videos:manage", pk=video.pk)
    return _render_form(request, form)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """What the video says about itself; drafts only (a published video is withdrawn, then reopened)."""
    video = _managed(request, pk)
    if video.state != VideoState.DRAFT:
        return _render_form(request, None, video, refused=_not_editable(video))
    form = forms.VideoForm(request.POST or None, initial=forms.VideoForm.initial_from(video))
    if request.method == "POST" and form.is_valid():
        try:
            services.video_update(video=video, by=request.user, **form.video_fields())
        except services.VideoError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Les modifications sont enregistrées."))
            return redirect("videos:manage", pk=video.pk)
    return _render_form(request, form, video)


def _not_editable(video: Video) -> str:
    if video.state == VideoState.IN_REVIEW:
        return _(
            "Cette vidéo attend la validation de l'équipe de la plateforme : elle ne peut plus être modifiée. "
            "Retirez-la, remettez-la en brouillon, modifiez-la puis envoyez-la de nouveau."
        )
    if video.state == VideoState.PUBLISHED:
        return _(
            "Cette vidéo est publiée : elle ne peut plus être modifiée. Retirez-la, remettez-la en brouillon, "
            "modifiez-la puis envoyez-la de nouveau pour validation."
        )
    return _("Cette vidéo est retirée : remettez-la en brouillon pour la modifier.")


# --- The manage page -------------------------------------------------------------------------------------------


def _file_facts(video: Video) -> dict | None:
    stored = selectors.video_file(video)
    if stored is None:
        return None
    return {
        "name": stored.original_name,
        "size": size_label(stored.size),
        "duration": duration_label(stored.duration),
        "resolution": f"{stored.width} × {stored.height}",
        "container": stored.container.upper(),
        "video_codec": stored.video_codec,
        "audio_codec": stored.audio_codec,
    }


def _processing_context(video: Video) -> dict:
    polling = video.processing_status in (ProcessingStatus.PENDING, ProcessingStatus.RUNNING)
    announce = ""
    if video.processing_status == ProcessingStatus.SUCCEEDED:
        announce = _("Traitement terminé.")
    elif video.processing_status == ProcessingStatus.FAILED:
        announce = _("Traitement en échec : %(reason)s") % {"reason": video.processing_failure}
    return {
        "video": video,
        "file": _file_facts(video),
        "blockers": selectors.publication_blockers(video),
        "polling": polling,
        "poll_seconds": PROCESSING_POLL_SECONDS,
        "announce": announce,
    }


def _own_open_upload(request, video: Video):
    """The person's own upload still open for this video (the API lets only its owner resume it)."""
    session = selectors.open_upload(video)
    if session is None or session.owner_id != request.user.pk or session.expires_at <= timezone.now():
        return None
    return session


def _upload_config(request, video: Video, session) -> dict:
    return {
        "video": video.pk,
        "create_url": reverse("videos:api-upload-create"),
        "processing_url": reverse("videos:processing", kwargs={"pk": video.pk}),
        "chunk_size": min(UPLOAD_CHUNK_BYTES, services.max_chunk_bytes()),
        "open_upload": (
            {
                "id": str(session.pk),
                "filename": session.filename,
                "size": session.declared_size,
                "offset": session.bytes_received,
                "url": reverse("videos:api-upload-detail", kwargs={"pk": session.pk}),
            }
            if session
            else None
        ),
        "strings": {
            "progress": _("%(done)s sur %(total)s"),
            "bytes": _("%(value)s octets"),
            "kilobytes": str(SIZE_UNITS[2][1]),
            "megabytes": str(SIZE_UNITS[1][1]),
            "gigabytes": str(SIZE_UNITS[0][1]),
            "milestone": _("%(percent)s %% envoyés."),
            "started": _("Envoi de « %(name)s » commencé."),
            "resumed_session": _("Reprise de l'envoi interrompu de « %(name)s » à %(percent)s %%."),
            "complete": _("Fichier reçu, traitement en cours."),
            "retrying": _("La connexion est coupée : nouvel essai dans %(seconds)s s."),
            "paused": _("Envoi en pause."),
            "resuming": _("Reprise de l'envoi."),
            "pause": _("Mettre en pause"),
            "resume": _("Reprendre"),
            "no_file": _("Choisissez d'abord un fichier vidéo."),
            "closed": _("Cet envoi est terminé ou a expiré : envoyez le fichier de nouveau."),
            "signed_out": _("Votre session a expiré ou vous n'avez plus accès à cette vidéo : rechargez la page."),
            "refused": _("Le fichier est refusé : %(reason)s"),
            "failed": _("L'envoi a échoué : %(reason)s"),
        },
    }


def _render_manage(request, video: Video, *, caption_form=None, poster_form=None, transition_form=None, status=200):
    actions = selectors.actions_for(request.user, video)
    session = _own_open_upload(request, video) if video.state == VideoState.DRAFT else None
    return render(
        request,
        "media/manage.html",
        {
            **_processing_context(video),
            "captions": selectors.captions_of(video),
            "poster_url": selectors.poster_url(video),
            "actions": actions,
            "moderating": permissions.can_moderate_videos(request.user),
            "caption_form": caption_form or forms.CaptionForm(),
            "poster_form": poster_form or forms.PosterForm(),
            "transition_form": transition_form or forms.TransitionForm(allowed=actions),
            "error_summary": _error_summary(caption_form, poster_form, (transition_form, "transition-errors")),
            "history": _history(video),
            "open_upload": session,
            "open_upload_sizes": (
                {"done": size_label(session.bytes_received), "total": size_label(session.declared_size)}
                if session
                else None
            ),
            "upload_config": _upload_config(request, video, session) if video.state == VideoState.DRAFT else None,
            "can_change_poster": video.state in (VideoState.DRAFT, VideoState.WITHDRAWN),
            "can_delete_french": video.state not in (VideoState.IN_REVIEW, VideoState.PUBLISHED),
            "max_upload_label": size_label(rules.max_upload_bytes()),
            "views": watching.view_count(video),
            "page_title": video.title,
        },
        status=status,
    )


def _history(video: Video) -> list:
    """The video's events, newest first, with their notes in words (services note a few moves in short)."""
    events = list(selectors.video_history(video))
    for event in events:
        note = event.note
        if event.kind == VideoEventKind.EDITED and note == "poster":
            note = _("Nouvelle affiche.")
        elif event.kind == VideoEventKind.EDITED and note.startswith("captions ") and note.endswith(" deleted"):
            note = _("Sous-titres supprimés : %(language)s.") % {"language": note.split()[1]}
        elif event.kind == VideoEventKind.CAPTIONS_SET:
            note = _("Langue : %(language)s.") % {"language": note}
        event.shown_note = note
    return events


@require_GET
def manage(request, pk):
    return _render_manage(request, _managed(request, pk))


@require_GET
def processing(request, pk):
    """The processing status and what publication still needs: a fragment the manage page asks for every few
    seconds while the file is waiting or being processed (the page swaps each element by its id)."""
    video = _managed(request, pk)
    return render(request, "media/includes/making_processing_fragment.html", _processing_context(video))


@require_POST
def caption_add(request, pk):
    video = _managed(request, pk)
    form = forms.CaptionForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            caption = services.caption_set(
                video=video,
                by=request.user,
                language=form.cleaned_data["tag"],
                data=upload.read(captions.max_caption_bytes() + 1),
                filename=upload.name,
            )
        except services.VideoError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Sous-titres « %(label)s » enregistrés (%(count)s réplique).",
                    "Sous-titres « %(label)s » enregistrés (%(count)s répliques).",
                    caption.cue_count,
                )
                % {"label": caption.label, "count": caption.cue_count},
            )
            return redirect(reverse("videos:manage", kwargs={"pk": video.pk}) + "#captions-title")
    return _render_manage(request, video, caption_form=form)


@require_POST
def caption_delete(request, pk, language):
    video = _managed(request, pk)
    caption = Caption.objects.filter(video=video, language=language).select_related("video").first()
    if caption is None:
        raise Http404
    try:
        services.caption_delete(caption=caption, by=request.user)
    except services.VideoError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sous-titres « %(label)s » supprimés.") % {"label": caption.label})
    return redirect(reverse("videos:manage", kwargs={"pk": video.pk}) + "#captions-title")


@require_POST
def poster(request, pk):
    video = _managed(request, pk)
    form = forms.PosterForm(request.POST, request.FILES)
    if form.is_valid():
        # Never more than the limit in memory: one byte over is enough for the service to refuse it.
        data = form.cleaned_data["file"].read(images.max_image_bytes() + 1)
        try:
            services.poster_set(video=video, by=request.user, data=data)
        except services.VideoError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("L'affiche est enregistrée."))
            return redirect(reverse("videos:manage", kwargs={"pk": video.pk}) + "#poster-title")
    return _render_manage(request, video, poster_form=form)


@require_POST
def transition(request, pk):
    """Submit, withdraw, reopen (makers); publish, reject with a note (platform staff)."""
    video = _managed(request, pk)
    form = forms.TransitionForm(request.POST, allowed=selectors.actions_for(request.user, video))
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.video_transition(video=video, by=request.user, action=action, note=form.cleaned_data["note"])
        except services.VideoError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, str(TRANSITION_DONE[action]))
            if action in ("publish", "reject") and permissions.can_moderate_videos(request.user):
                return redirect("videos:review")
            return redirect("videos:manage", pk=video.pk)
    return _render_manage(request, video, transition_form=form)
