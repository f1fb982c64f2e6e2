"""The career-video library: videos, their file, captions, thumbnails, and the resumable upload sessions.

Uploaded video files live in the private video storage (`media.storage.video_storage`), never under a public
URL: the playback view checks who asks. Posters and thumbnails live in the default storage (public, like any
image of the site); their names carry the video's random `uuid`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.offers.rules import validate_rome_code
from backend.organisations.enums import Sector
from media.enums import ImageFormat, ProcessingStatus, UploadStatus, VideoEventKind, VideoLevel, VideoState
from media.rules import validate_language_tag


class Video(models.Model):
    """A career-discovery video made by a host organisation or a partner association (exactly one of them)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    host_organisation = models.ForeignKey(
        "organisations.HostOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name=_("structure d'accueil"),
    )
    association = models.ForeignKey(
        "organisations.Association",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name=_("association"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    title = models.CharField(_("titre"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    sector = models.CharField(_("secteur"), max_length=1, choices=Sector.choices)
    domain = models.CharField(_("domaine professionnel"), max_length=3, blank=True)
    job_title = models.CharField(_("métier"), max_length=150, blank=True)
    rome_code = models.CharField(_("code ROME"), max_length=5, blank=True, validators=[validate_rome_code])
    level = models.CharField(_("niveau"), max_length=10, choices=VideoLevel.choices, default=VideoLevel.ALL)
    tags = models.JSONField(_("mots-clés"), default=list, blank=True)
    audio_description = models.BooleanField(_("avec audiodescription"), default=False)
    transcript = models.TextField(_("transcription"), blank=True)
    # From the probed file, in seconds.
    duration = models.FloatField(_("durée (secondes)"), null=True, blank=True)
    # Storage names in the default storage; `poster_uploaded` says whether a person chose it (the processing
    # then keeps it) or it was taken from the video.
    poster = models.CharField(_("affiche"), max_length=255, blank=True)
    poster_uploaded = models.BooleanField(default=False)

    state = models.CharField(_("état"), max_length=10, choices=VideoState.choices, default=VideoState.DRAFT)
    processing_status = models.CharField(
        _("traitement"), max_length=10, choices=ProcessingStatus.choices, default=ProcessingStatus.NO_FILE
    )
    processing_failure = models.TextField(_("raison de l'échec du traitement"), blank=True)
    moderation_note = models.TextField(_("message de la modération"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("vidéo")
        verbose_name_plural = _("vidéos")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "sector"], name="videos_state_sector"),
            models.Index(fields=["-published_at"], name="videos_published_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(host_organisation__isnull=False) & Q(association__isnull=True))
                | (Q(host_organisation__isnull=True) & Q(association__isnull=False)),
                name="videos_one_maker",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def maker(self):
        return self.host_organisation or self.association


class VideoFile(models.Model):
    """The accepted file of a video, as PyAV found it. A new upload replaces it."""

    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="file")
    storage_name = models.CharField(max_length=255)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=255, blank=True)
    size = models.BigIntegerField(_("taille (octets)"))
    container = models.CharField(_("conteneur"), max_length=8)  # "mp4" or "webm"
    content_type = models.CharField(max_length=40)
    video_codec = models.CharField(_("codec vidéo"), max_length=16)
    audio_codec = models.CharField(_("codec audio"), max_length=16, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField(_("durée (secondes)"))
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fichier vidéo")
        verbose_name_plural = _("fichiers vidéo")

    def __str__(self):
        return self.storage_name


class Caption(models.Model):
    """A captions track, kept as validated WebVTT text (a few hundred kilobytes at most)."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(_("langue"), max_length=12, validators=[validate_language_tag])
    label = models.CharField(_("libellé"), max_length=60)
    webvtt = models.TextField()
    cue_count = models.PositiveIntegerField(default=0)
    source_format = models.CharField(max_length=6, default="vtt")  # "vtt" or "srt"
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sous-titres")
        verbose_name_plural = _("sous-titres")
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["video", "language"], name="videos_caption_language_unique")]

    def __str__(self):
        return f"{self.video} ({self.language})"


class Thumbnail(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="thumbnails")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=4, choices=ImageFormat.choices)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("vignette")
        verbose_name_plural = _("vignettes")
        ordering = ["width", "format"]
        constraints = [
            models.UniqueConstraint(fields=["video", "width", "format"], name="videos_thumbnail_unique"),
        ]

    def __str__(self):
        return self.storage_name


class UploadSession(models.Model):
    """A resumable upload of one video's file: chunks arrive in order, each at `bytes_received`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="upload_sessions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_uploads")
    filename = models.CharField(_("nom du fichier"), max_length=255)
    declared_size = models.BigIntegerField(_("taille annoncée (octets)"))
    bytes_received = models.BigIntegerField(_("octets reçus"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256 annoncée"), max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=UploadStatus.choices, default=UploadStatus.RECEIVING)
    failure = models.TextField(_("raison du refus"), blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("envoi de vidéo")
        verbose_name_plural = _("envois de vidéos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bytes_received__gte=0) & Q(bytes_received__lte=models.F("declared_size")),
                name="videos_upload_bytes_within_size",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.bytes_received}/{self.declared_size})"


class VideoEvent(models.Model):
    """The history of a video: who did what, and why for a refusal or a failure."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=VideoEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.video} — {self.kind}"


class WatchProgress(models.Model):
    """How much of a video one signed-in person has played, as her player reports it. One row per person and
    video: it is the video's "view" by her (counted once, however often she comes back). `watched_at` is set
    the first time the played share reaches `media.rules.WATCHED_SHARE` (80 %) and never unset. It stays when a
    pupil's account is anonymised (backend/retention), so that view counts survive."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="progress")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_progress")
    # Seconds of the video actually played (the player sums the intervals it played, without counting twice
    # what was played again), and the furthest position reached: both as reported, capped by the duration.
    played_seconds = models.FloatField(default=0)
    position = models.FloatField(default=0)
    watched_at = models.DateTimeField(_("vue le"), null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visionnage")
        verbose_name_plural = _("visionnages")
        constraints = [
            models.UniqueConstraint(fields=["video", "user"], name="videos_one_progress_per_person"),
        ]
        indexes = [models.Index(fields=["user", "video"], name="videos_progress_user")]

    def __str__(self):
        return f"{self.user_id} · {self.video_id} · {self.played_seconds:.0f} s"


class Playlist(models.Model):
    """A teacher's list of videos, which she may assign to one or more of her classes."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_playlists")
    title = models.CharField(_("titre"), max_length=120)
    description = models.TextField(_("consigne pour les élèves"), blank=True)
    videos = models.ManyToManyField(Video, through="PlaylistItem", related_name="playlists")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("liste de vidéos")
        verbose_name_plural = _("listes de vidéos")
        ordering = ["-updated_at"]

    def __str__(self):
        return self.title


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "video"], name="videos_playlist_video_once"),
        ]

    def __str__(self):
        return f"{self.playlist_id} · {self.position} · {self.video_id}"


class PlaylistAssignment(models.Model):
    """A playlist given to a class: its current pupils see it, with what they have watched; its teachers see who
    watched what."""

    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="assignments")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, related_name="video_playlists", verbose_name=_("classe")
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    due_date = models.DateField(_("à voir avant le"), null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liste donnée à une classe")
        verbose_name_plural = _("listes données aux classes")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "school_class"], name="videos_playlist_class_once"),
        ]

    def __str__(self):
        return f"{self.playlist} → {self.school_class_id}"
