"""Writes on the video library: videos and their lifecycle, resumable uploads, processing, captions, posters.

Every function is keyword-only. Authorisation is the caller's job (adapters ask `media.permissions`); the
rules about the video itself (states, what publication needs, what a file must be) live here, so that the API,
the pages to come, the admin and the Celery tasks share them. Refusals are `VideoError`s whose messages are
sentences for the person, already translated; nothing is written when one is raised.
"""

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.offers import taxonomy
from backend.offers.rules import validate_rome_code
from backend.organisations.enums import Sector
from backend.organisations.models import Association, HostOrganisation
from media import captions, images, permissions, probing, rules, selectors
from media.enums import ImageFormat, ProcessingStatus, UploadStatus, VideoEventKind, VideoLevel, VideoState
from media.models import Caption, Thumbnail, UploadSession, Video, VideoEvent, VideoFile
from media.storage import (
    delete_after_commit,
    delete_quietly,
    image_storage,
    local_copy,
    partial_path,
    store_video,
    video_storage,
)

logger = logging.getLogger(__name__)

UPLOAD_SESSION_HOURS = 24
MAX_CHUNK_BYTES = 16 * 1024 * 1024
READ_BLOCK = 1024 * 1024
MAX_TAGS = 12
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class VideoError(Exception):
    """A rule refused the operation. `messages` are sentences for the person, already translated."""

    def __init__(self, messages, *, code: str = "invalid"):
        if isinstance(messages, ValidationError):
            messages = messages.messages
        self.messages = [messages] if isinstance(messages, str) else [str(message) for message in messages]
        self.code = code
        super().__init__(" ".join(self.messages))


class OffsetMismatch(VideoError):
    """A chunk that does not start where the file stands: refused, with the offset to resume from."""

    def __init__(self, offset: int):
        self.offset = offset
        super().__init__(
            _(
                "Ce morceau ne commence pas au bon endroit : le serveur a reçu %(offset)s octets, "
                "reprenez à partir de là."
            )
            % {"offset": offset},
            code="offset_mismatch",
        )


def _log(video: Video, kind: str, by=None, note: str = "") -> None:
    actor = by if getattr(by, "is_authenticated", False) else None
    VideoEvent.objects.create(video=video, kind=kind, actor=actor, note=note)


# --- Videos ------------------------------------------------------------------------------------------------------

EDITABLE_FIELDS = {
    "title",
    "description",
    "sector",
    "domain",
    "job_title",
    "rome_code",
    "level",
    "tags",
    "audio_description",
    "transcript",
}


def _normalised_tags(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    tags = []
    for item in value or []:
        tag = " ".join(str(item).split()).lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise VideoError(_("%(count)s mots-clés au plus.") % {"count": MAX_TAGS})
    return tags


def _apply_fields(video: Video, fields: dict) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable on a video: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if name == "tags":
            value = _normalised_tags(value)
        elif name == "audio_description":
            value = bool(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(video, name, value)
    errors = []
    if not video.title:
        errors.append(_("Le titre est obligatoire."))
    if video.sector not in Sector.values:
        errors.append(_("Choisissez un secteur."))
    if video.level not in VideoLevel.values:
        errors.append(_("Choisissez un niveau : collège, lycée professionnel, ou les deux."))
    try:
        if video.domain:
            taxonomy.validate_domain(video.domain, video.sector)
        validate_rome_code(video.rome_code)
        if video.rome_code and video.rome_code[0] != video.sector:
            errors.append(_("Le code ROME n'appartient pas au secteur choisi."))
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        raise VideoError(errors)


@transaction.atomic
def video_create(*, by, maker: HostOrganisation | Association, **fields) -> Video:
    """A draft video in the name of a host organisation or an association."""
    video = Video(
        host_organisation=maker if isinstance(maker, HostOrganisation) else None,
        association=maker if isinstance(maker, Association) else None,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _apply_fields(video, fields)
    video.save()
    _log(video, VideoEventKind.CREATED, by)
    return video


def _locked(video: Video) -> Video:
    return Video.objects.select_for_update().get(pk=video.pk)


@transaction.atomic
def video_update(*, video: Video, by, **fields) -> Video:
    """Changes what the video says about itself; a draft only (a published video is withdrawn first)."""
    locked = _locked(video)
    if locked.state != VideoState.DRAFT:
        raise VideoError(_("Seule une vidéo en brouillon peut être modifiée."))
    _apply_fields(locked, fields)
    locked.save()
    _log(locked, VideoEventKind.EDITED, by)
    return locked


# --- The lifecycle: one table of allowed moves ----------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    event: str
    checks_publication: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({VideoState.DRAFT}), VideoState.IN_REVIEW, VideoEventKind.SUBMITTED, True),
    "publish": Transition(frozenset({VideoState.IN_REVIEW}), VideoState.PUBLISHED, VideoEventKind.PUBLISHED, True),
    "reject": Transition(frozenset({VideoState.IN_REVIEW}), VideoState.DRAFT, VideoEventKind.REJECTED),
    "withdraw": Transition(
        frozenset({VideoState.IN_REVIEW, VideoState.PUBLISHED}), VideoState.WITHDRAWN, VideoEventKind.WITHDRAWN
    ),
    "reopen": Transition(frozenset({VideoState.WITHDRAWN}), VideoState.DRAFT, VideoEventKind.REOPENED),
}
# What the makers may do; publishing and rejecting belong to the moderation (platform staff).
MAKER_ACTIONS = ("submit", "withdraw", "reopen")
MODERATION_ACTIONS = ("publish", "reject", "withdraw")


def allowed_actions(video: Video) -> list[str]:
    return [name for name, move in TRANSITIONS.items() if video.state in move.sources]


def _refused_move(video: Video, action: str) -> VideoError:
    messages = {
        "submit": _("Seule une vidéo en brouillon peut être envoyée pour validation (cette vidéo est : %(state)s)."),
        "publish": _("Seule une vidéo en attente de validation peut être publiée (cette vidéo est : %(state)s)."),
        "reject": _(
            "Seule une vidéo en attente de validation peut être renvoyée en brouillon (cette vidéo est : %(state)s)."
        ),
        "withdraw": _("Seule une vidéo publiée ou en attente peut être retirée (cette vidéo est : %(state)s)."),
        "reopen": _("Seule une vidéo retirée peut être remise en brouillon (cette vidéo est : %(state)s)."),
    }
    return VideoError(messages[action] % {"state": video.get_state_display().lower()}, code="invalid_state")


@transaction.atomic
def video_transition(*, video: Video, by, action: str, note: str = "") -> Video:
    """Moves the video along the table. Submitting and publishing need what `selectors.publication_blockers`
    checks: a processed file, French captions and a transcript."""
    if action not in TRANSITIONS:
        raise VideoError(_("Action inconnue."), code="invalid_action")
    move = TRANSITIONS[action]
    locked = _locked(video)
    if locked.state not in move.sources:
        raise _refused_move(locked, action)
    if move.checks_publication:
        blockers = selectors.publication_blockers(locked)
        if blockers:
            raise VideoError(blockers, code="not_ready")
    now = timezone.now()
    locked.state = move.target
    if action == "submit":
        locked.submitted_at = now
    elif action == "publish":
        locked.published_at = now
    elif action == "withdraw":
        locked.withdrawn_at = now
    if action == "reject":
        locked.moderation_note = note.strip()
    locked.save()
    _log(locked, move.event, by, note.strip())
    return locked


# --- Uploads -----------------------------------------------------------------------------------------------------


def _drop_partial(session: UploadSession) -> None:
    partial_path(session.pk).unlink(missing_ok=True)


@transaction.atomic
def upload_session_create(*, video: Video, by, filename: str, size: int, sha256: str = "") -> UploadSession:
    """Opens a resumable upload of `size` bytes for a draft video. An upload still open for the video is
    dropped: the newest one wins."""
    locked = _locked(video)
    if locked.state != VideoState.DRAFT:
        raise VideoError(_("On ne peut envoyer un fichier que pour une vidéo en brouillon."), code="invalid_state")
    limit = rules.max_upload_bytes()
    if size is None or size <= 0:
        raise VideoError(_("Le fichier est vide."), code="empty")
    if size > limit:
        raise VideoError(
            _("Le fichier dépasse la taille permise (%(limit)s Mo).") % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    sha256 = (sha256 or "").strip().lower()
    if sha256 and not SHA256.match(sha256):
        raise VideoError(_("L'empreinte SHA-256 s'écrit avec 64 caractères hexadécimaux."))
    for stale in UploadSession.objects.filter(video=locked, status=UploadStatus.RECEIVING):
        stale.status = UploadStatus.EXPIRED
        stale.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda stale=stale: _drop_partial(stale))
    hours = int(getattr(settings, "MEDIA_UPLOAD_SESSION_HOURS", UPLOAD_SESSION_HOURS))
    session = UploadSession.objects.create(
        video=locked,
        owner=by,
        filename=(filename or "video").strip()[:255] or "video",
        declared_size=size,
        sha256=sha256,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    partial_path(session.pk).touch()
    return session


def max_chunk_bytes() -> int:
    return int(getattr(settings, "MEDIA_UPLOAD_CHUNK_MAX_BYTES", MAX_CHUNK_BYTES))


@transaction.atomic
def upload_chunk_append(
    *, session: UploadSession, start: int, length: int, total: int, body: BinaryIO
) -> UploadSession:
    """Writes `length` bytes read from `body` at `start`, which must be where the file stands.

    The session's row is locked while the bytes are written, so that two chunks sent at the same offset do not
    interleave: the first wins, the second finds the offset moved and is refused (`OffsetMismatch`). A chunk is
    whole or nothing: one that arrives short is refused and the offset stays. The last chunk completes the
    upload: see `upload_complete`."""
    locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
    # None: the video (and its uploads) was deleted while this chunk waited for the lock.
    if locked is None or locked.status != UploadStatus.RECEIVING:
        raise VideoError(_("Cet envoi est terminé : il ne reçoit plus de morceaux."), code="upload_closed")
    if locked.expires_at <= timezone.now():
        raise VideoError(_("Cet envoi a expiré : recommencez-le."), code="upload_expired")
    if total != locked.declared_size:
        raise VideoError(
            _("La taille totale annoncée (%(total)s octets) n'est pas celle de l'envoi (%(size)s octets).")
            % {"total": total, "size": locked.declared_size}
        )
    if start != locked.bytes_received:
        raise OffsetMismatch(locked.bytes_received)
    if length <= 0 or start + length > locked.declared_size:
        raise VideoError(_("Ce morceau dépasse la fin du fichier annoncé."))
    if length > max_chunk_bytes():
        raise VideoError(
            _("Un morceau ne peut pas dépasser %(limit)s Mo.") % {"limit": max_chunk_bytes() // (1024 * 1024)}
        )
    path = partial_path(locked.pk)
    with path.open("r+b" if path.exists() else "w+b") as handle:
        handle.seek(start)
        remaining = length
        while remaining:
            block = body.read(min(READ_BLOCK, remaining))
            if not block:
                break
            handle.write(block)
            remaining -= len(block)
        extra = body.read(1) if not remaining else b""
        # Bytes beyond what is acknowledged are dropped: the next chunk starts at `bytes_received`.
        handle.truncate(start if remaining or extra else start + length)
    if remaining or extra:
        raise VideoError(
            _("Ce morceau n'a pas la longueur annoncée par Content-Range : renvoyez-le."), code="chunk_length"
        )
    locked.bytes_received = start + length
    locked.save(update_fields=["bytes_received", "updated_at"])
    if locked.bytes_received == locked.declared_size:
        upload_complete(session=locked)
    return locked


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _refuse_upload(session: UploadSession, reason: str) -> UploadSession:
    _drop_partial(session)
    session.status = UploadStatus.REFUSED
    session.failure = reason
    session.save(update_fields=["status", "failure", "updated_at"])
    return session


@transaction.atomic
def upload_complete(*, session: UploadSession) -> UploadSession:
    """Probes the whole file: a video browsers play becomes the video's file and its processing is queued;
    anything else is deleted at once and the session says why (`status` refused, `failure`)."""
    path = partial_path(session.pk)
    if session.sha256 and _sha256_of(path) != session.sha256:
        return _refuse_upload(
            session, _("Le fichier reçu ne correspond pas à l'empreinte annoncée : il a été abîmé en route.")
        )
    try:
        found = probing.probe(path)
    except probing.MediaRefused as refusal:
        return _refuse_upload(session, str(refusal))
    # Saved before the video's row is locked: to a bucket, this is a long upload.
    stored = store_video(path, f"{session.video.uuid}/{session.pk}.{found.container}")
    video = _locked(session.video)
    previous = VideoFile.objects.filter(video=video).first()
    fields = {
        "storage_name": stored,
        "original_name": session.filename,
        "size": session.declared_size,
        "container": found.container,
        "content_type": found.content_type,
        "video_codec": found.video_codec,
        "audio_codec": found.audio_codec,
        "width": found.width,
        "height": found.height,
        "duration": found.duration,
        "sha256": session.sha256,
    }
    if previous:
        old_name = previous.storage_name
        for name, value in fields.items():
            setattr(previous, name, value)
        previous.created_at = timezone.now()
        previous.save()
        delete_after_commit(video_storage(), [old_name])
    else:
        VideoFile.objects.create(video=video, **fields)
    video.duration = found.duration
    video.processing_status = ProcessingStatus.PENDING
    video.processing_failure = ""
    video.save(update_fields=["duration", "processing_status", "processing_failure", "updated_at"])
    _log(video, VideoEventKind.FILE_RECEIVED, session.owner, session.filename)
    session.status = UploadStatus.COMPLETE
    session.save(update_fields=["status", "updated_at"])
    _queue_processing(video)
    return session


def _queue_processing(video: Video) -> None:
    from media.tasks import video_process_task

    transaction.on_commit(lambda: video_process_task.delay(video_id=video.pk))


@transaction.atomic
def uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Closes the uploads left unfinished past their expiry and deletes their chunks."""
    now = now or timezone.now()
    expired = list(UploadSession.objects.filter(status=UploadStatus.RECEIVING, expires_at__lte=now))
    for session in expired:
        session.status = UploadStatus.EXPIRED
        session.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda session=session: _drop_partial(session))
    return len(expired)


# --- Processing --------------------------------------------------------------------------------------------------


def video_process(*, video_id: int) -> str:
    """Probes the stored file again, takes a poster frame near 10 % of the duration when none was uploaded,
    and writes the thumbnails. Idempotent: running it twice gives the same files and rows. A file that turns out
    unreadable marks the processing failed with its reason, for the uploader."""
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None:
            return "gone"
        video_file = VideoFile.objects.filter(video=video).first()
        if video_file is None:
            return "no_file"
        video.processing_status = ProcessingStatus.RUNNING
        video.save(update_fields=["processing_status", "updated_at"])
        storage_name = video_file.storage_name
        poster_uploaded, poster_name = video.poster_uploaded, video.poster
    try:
        poster_image, poster_name = _poster_for(video, storage_name, poster_uploaded, poster_name)
        thumbnails = images.thumbnail_set(poster_image)
    except (probing.MediaRefused, ValidationError) as refusal:
        reason = refusal.messages[0] if isinstance(refusal, ValidationError) else str(refusal)
        _processing_failed(video_id, reason)
        return "failed"
    with transaction.atomic():
        video = Video.objects.select_for_update().filter(pk=video_id).first()
        if video is None:
            # Deleted while its file was read: what was written for it goes too.
            if not poster_uploaded:
                delete_quietly(image_storage(), poster_name)
            return "gone"
        storage = image_storage()
        kept = []
        for width, height, image_format, data in thumbnails:
            name = f"videos/{video.uuid}/thumb-{width}.{'jpg' if image_format == ImageFormat.JPEG else 'webp'}"
            delete_quietly(storage, name)
            stored = storage.save(name, ContentFile(data))
            thumbnail, _created = Thumbnail.objects.update_or_create(
                video=video,
                width=width,
                format=image_format,
                defaults={"height": height, "storage_name": stored, "size": len(data)},
            )
            kept.append(thumbnail.pk)
        for stale in Thumbnail.objects.filter(video=video).exclude(pk__in=kept):
            delete_quietly(storage, stale.storage_name)
            stale.delete()
        video.poster = poster_name
        video.processing_status = ProcessingStatus.SUCCEEDED
        video.processing_failure = ""
        video.save(update_fields=["poster", "processing_status", "processing_failure", "updated_at"])
        _log(video, VideoEventKind.PROCESSED)
    return "succeeded"


def _poster_for(video: Video, storage_name: str, poster_uploaded: bool, poster_name: str):
    storage = image_storage()
    if poster_uploaded and poster_name and storage.exists(poster_name):
        with storage.open(poster_name, "rb") as handle:
            return images.load_checked(handle.read()), poster_name
    # A remote storage (a bucket): PyAV reads a temporary local copy.
    try:
        with local_copy(video_storage(), storage_name) as path:
            probing.probe(path)
            frame = probing.frame_at(path, fraction=0.1).convert("RGB")
    except FileNotFoundError:
        # Gone from the bucket, as a missing local file is for `probe`.
        raise probing.MediaRefused(_("Le fichier est vide.")) from None
    return frame, _save_poster(video, frame)


def _save_poster(video: Video, image) -> str:
    storage = image_storage()
    name = f"videos/{video.uuid}/poster.jpg"
    delete_quietly(storage, name)
    return storage.save(name, ContentFile(images.encode(image, "jpeg")))


@transaction.atomic
def _processing_failed(video_id: int, reason: str) -> None:
    video = Video.objects.select_for_update().filter(pk=video_id).first()
    if video is None:
        return
    video.processing_status = ProcessingStatus.FAILED
    video.processing_failure = reason
    video.save(update_fields=["processing_status", "processing_failure", "updated_at"])
    _log(video, VideoEventKind.PROCESSING_FAILED, note=reason)


# --- Posters and captions ----------------------------------------------------------------------------------------


@transaction.atomic
def poster_set(*, video: Video, by, data: bytes) -> Video:
    """An uploaded poster: checked (real JPEG, PNG or WebP, within the pixel limit), stored as JPEG; the
    thumbnails are made again from it when the video has a file."""
    try:
        image = images.load_checked(data)
    except ValidationError as error:
        raise VideoError(error.messages, code="invalid_image") from None
    locked = _locked(video)
    if locked.state not in (VideoState.DRAFT, VideoState.WITHDRAWN):
        raise VideoError(_("Seule une vidéo en brouillon peut changer d'affiche."), code="invalid_state")
    locked.poster = _save_poster(locked, image)
    locked.poster_uploaded = True
    fields = ["poster", "poster_uploaded", "updated_at"]
    if VideoFile.objects.filter(video=locked).exists():
        locked.processing_status = ProcessingStatus.PENDING
        fields.append("processing_status")
        _queue_processing(locked)
    locked.save(update_fields=fields)
    _log(locked, VideoEventKind.EDITED, by, "poster")
    return locked


@transaction.atomic
def caption_set(*, video: Video, by, language: str, data: bytes, filename: str = "") -> Caption:
    """Adds or replaces the captions of one language, from a WebVTT or SRT file (converted to WebVTT)."""
    try:
        rules.validate_language_tag(language)
        webvtt, cue_count, source = captions.normalise_captions(data, filename=filename, duration=video.duration)
    except ValidationError as error:
        raise VideoError(error.messages, code="invalid_captions") from None
    locked = _locked(video)
    caption, _created = Caption.objects.update_or_create(
        video=locked,
        language=language,
        defaults={
            "label": rules.language_label(language),
            "webvtt": webvtt,
            "cue_count": cue_count,
            "source_format": source,
            "created_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    _log(locked, VideoEventKind.CAPTIONS_SET, by, language)
    return caption


@transaction.atomic
def caption_delete(*, caption: Caption, by) -> None:
    """Removes a track; the French one only while the video is not published or in review."""
    video = _locked(caption.video)
    if caption.language == rules.FRENCH and video.state in (VideoState.PUBLISHED, VideoState.IN_REVIEW):
        raise VideoError(_("Les sous-titres en français sont obligatoires pour une vidéo publiée ou en validation."))
    caption.delete()
    _log(video, VideoEventKind.EDITED, by, f"captions {caption.language} deleted")


# --- Deleting a video and its stored files -----------------------------------------------------------------------

# What the makers may delete themselves; a video in review or published is withdrawn first. Platform staff delete
# any video.
DELETABLE_BY_MAKERS = (VideoState.DRAFT, VideoState.WITHDRAWN)


def deletion_refusal(*, video: Video, actor) -> str:
    """Why this person may not delete this video in its state ("" when she may). Whether she manages the video
    at all is the caller's check (`permissions.can_manage_video`)."""
    if video.state in DELETABLE_BY_MAKERS or permissions.can_moderate_videos(actor):
        return ""
    return _(
        "Une vidéo publiée ou en attente de validation ne peut pas être supprimée : retirez-la d'abord "
        "(cette vidéo est : %(state)s)."
    ) % {"state": video.get_state_display().lower()}


@transaction.atomic
def video_delete(*, video: Video, actor) -> None:
    """Deletes the video and everything that hangs on it (file row, captions, thumbnails, uploads, history,
    watch progress, places in playlists), then, once the transaction commits, its stored files: the video file,
    the poster and thumbnails, the chunks of an upload in progress. Nothing is deleted from the storages if the
    transaction rolls back.

    The history goes with the video (a `VideoEvent` cannot outlive it): the deletion is logged instead."""
    # Uploads first, the video second: the order an upload's last chunk takes them in (`upload_chunk_append`,
    # then `upload_complete`), so that a deletion waits for an upload finishing rather than deadlocking with it.
    sessions = list(UploadSession.objects.select_for_update().filter(video_id=video.pk))
    locked = Video.objects.select_for_update().filter(pk=video.pk).first()
    if locked is None:
        return
    refusal = deletion_refusal(video=locked, actor=actor)
    if refusal:
        raise VideoError(refusal, code="invalid_state")
    video_names = list(VideoFile.objects.filter(video=locked).values_list("storage_name", flat=True))
    image_names = [locked.poster, *Thumbnail.objects.filter(video=locked).values_list("storage_name", flat=True)]
    uuid, title, pk = locked.uuid, locked.title, locked.pk
    locked.delete()
    delete_after_commit(video_storage(), video_names, folder=str(uuid))
    delete_after_commit(image_storage(), image_names, folder=f"videos/{uuid}")
    for session in sessions:
        if session.status == UploadStatus.RECEIVING:
            transaction.on_commit(lambda session=session: _drop_partial(session), robust=True)
    logger.info(
        "video deleted video=%s uuid=%s title=%r actor=%s",
        pk,
        uuid,
        title,
        getattr(actor, "pk", None),
    )
