"""The library's API under /api/v1/videos/ (routes in `media.urls`). Thin over `media.services` and
`media.selectors`; session (browser, with the CSRF token on writes) or token authentication, like every view
of `backend.api.base`.

- `POST videos/`: a draft video, in the name of one of the caller's organisations or associations.
- `GET videos/<id>/`, `PATCH`: a video its makers (and platform staff) manage: state, processing, what
  publication still needs.
- `POST videos/<id>/transitions/`: submit, withdraw, reopen (makers); publish, reject, withdraw (platform staff).
- `POST videos/<id>/captions/`: a WebVTT or SRT file for a language (multipart).
- `POST videos/<id>/poster/`: a poster image (multipart).
- `POST videos/uploads/`: opens a resumable upload of a draft's file, with its size (and SHA-256, optionally).
- `GET videos/uploads/<id>/`: where the upload stands (`offset`), to resume after a dropped connection.
- `PUT videos/uploads/<id>/`: one chunk, raw bytes, placed by `Content-Range: bytes start-end/size`.
  409 `offset_mismatch` (with `offset`) when it does not start where the file stands; the last chunk gets the
  file probed: 200 `complete`, or 422 `media_refused` with the reason, and nothing is kept.
"""

import re

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from backend.api.base import ApiView
from backend.api.errors import ErrorSerializer, error_body, error_response
from backend.organisations.enums import Sector
from media import permissions, selectors, services
from media.enums import ProcessingStatus, UploadStatus, VideoLevel, VideoState
from media.models import UploadSession, Video

TAGS = ["videos"]
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")

# --- Serializers -------------------------------------------------------------------------------------------------


class VideoFileSerializer(serializers.Serializer):
    container = serializers.CharField()
    content_type = serializers.CharField()
    video_codec = serializers.CharField()
    audio_codec = serializers.CharField(help_text=_("Vide pour une vidéo sans son."))
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    size = serializers.IntegerField(help_text=_("En octets."))
    duration = serializers.FloatField(help_text=_("En secondes."))


class CaptionSerializer(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    cue_count = serializers.IntegerField()
    source_format = serializers.CharField(help_text=_("vtt ou srt (converti en WebVTT)."))
    url = serializers.SerializerMethodField()

    def get_url(self, caption) -> str:
        return reverse("videos:caption", kwargs={"pk": caption.video_id, "language": caption.language})


class VideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    domain = serializers.CharField()
    job_title = serializers.CharField()
    rome_code = serializers.CharField()
    level = serializers.ChoiceField(choices=VideoLevel.choices)
    tags = serializers.ListField(child=serializers.CharField())
    audio_description = serializers.BooleanField()
    transcript = serializers.CharField()
    host_organisation = serializers.IntegerField(source="host_organisation_id", allow_null=True)
    association = serializers.IntegerField(source="association_id", allow_null=True)
    duration = serializers.FloatField(allow_null=True, help_text=_("En secondes, une fois le fichier reçu."))
    state = serializers.ChoiceField(choices=VideoState.choices)
    processing_status = serializers.ChoiceField(choices=ProcessingStatus.choices)
    processing_failure = serializers.CharField(help_text=_("La raison de l'échec du traitement, pour l'auteur."))
    moderation_note = serializers.CharField()
    file = serializers.SerializerMethodField()
    captions = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField(help_text=_("Attributs srcset par format (webp, jpeg)."))
    playback_url = serializers.SerializerMethodField()
    publication_blockers = serializers.SerializerMethodField(
        help_text=_("Ce qui manque encore pour publier ; vide quand rien ne manque.")
    )
    allowed_actions = serializers.SerializerMethodField()

    @extend_schema_field(VideoFileSerializer(allow_null=True))
    def get_file(self, video):
        stored = selectors.video_file(video)
        return VideoFileSerializer(stored).data if stored else None

    @extend_schema_field(CaptionSerializer(many=True))
    def get_captions(self, video):
        return CaptionSerializer(video.captions.all(), many=True).data

    def get_poster_url(self, video) -> str:
        return selectors.poster_url(video)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_thumbnails(self, video):
        return selectors.thumbnail_sources(video)

    def get_playback_url(self, video) -> str:
        return reverse("videos:file", kwargs={"pk": video.pk})

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_publication_blockers(self, video):
        return selectors.publication_blockers(video)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, video):
        return services.allowed_actions(video)


@extend_schema_field({"type": "array", "items": {"type": "string"}, "maxItems": 12})
class TagsField(serializers.Field):
    """A list of words; its errors are one flat message, like every field's in the API's error shape."""

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(item, str | int | float) for item in data):
            raise serializers.ValidationError(gettext("Une liste de mots-clés est attendue."))
        return [str(item) for item in data]

    def to_representation(self, value):
        return value


class VideoInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=Sector.choices)
    domain = serializers.CharField(required=False, allow_blank=True, max_length=3)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=150)
    rome_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    level = serializers.ChoiceField(choices=VideoLevel.choices, required=False)
    tags = TagsField(required=False, help_text=_("12 mots-clés au plus, de 40 caractères au plus chacun."))
    audio_description = serializers.BooleanField(required=False)
    transcript = serializers.CharField(required=False, allow_blank=True)


class VideoCreateInputSerializer(VideoInputSerializer):
    host_organisation = serializers.IntegerField(
        required=False, help_text=_("La structure d'accueil au nom de laquelle la vidéo est faite.")
    )
    association = serializers.IntegerField(
        required=False, help_text=_("Ou l'association au nom de laquelle la vidéo est faite.")
    )


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaptionInputSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=12, help_text=_("fr, en, pt-BR…"))
    file = serializers.FileField(help_text=_("WebVTT ou SRT, en UTF-8."))


class PosterInputSerializer(serializers.Serializer):
    file = serializers.ImageField(help_text=_("JPEG, PNG ou WebP."))


class UploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    video = serializers.IntegerField(source="video_id")
    filename = serializers.CharField()
    size = serializers.IntegerField(source="declared_size")
    offset = serializers.IntegerField(
        source="bytes_received", help_text=_("Octets reçus : le prochain morceau commence ici.")
    )
    status = serializers.ChoiceField(choices=UploadStatus.choices)
    failure = serializers.CharField()
    expires_at = serializers.DateTimeField()
    max_chunk_size = serializers.SerializerMethodField()
    upload_url = serializers.SerializerMethodField()

    def get_max_chunk_size(self, session) -> int:
        return services.max_chunk_bytes()

    def get_upload_url(self, session) -> str:
        return reverse("videos:api-upload-detail", kwargs={"pk": session.pk})


class UploadInputSerializer(serializers.Serializer):
    video = serializers.IntegerField(help_text=_("La vidéo (en brouillon) dont c'est le fichier."))
    filename = serializers.CharField(max_length=255)
    size = serializers.IntegerField(min_value=1, help_text=_("La taille exacte du fichier, en octets."))
    sha256 = serializers.CharField(required=False, allow_blank=True, max_length=64)


class OffsetErrorSerializer(ErrorSerializer):
    offset = serializers.IntegerField(help_text=_("Octets déjà reçus : reprenez à partir d'ici."))


# --- Views -------------------------------------------------------------------------------------------------------


def _refused(error: services.VideoError) -> exceptions.ValidationError:
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def _managed_video(request, pk) -> Video:
    video = get_object_or_404(Video.objects.select_related("host_organisation", "association"), pk=pk)
    if not permissions.can_manage_video(request.user, video):
        raise exceptions.NotFound()
    return video


def _video_body(video, request) -> dict:
    return VideoSerializer(Video.objects.get(pk=video.pk), context={"request": request}).data


NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("Vidéo inconnue, ou que l'appelant ne gère pas."))


class VideoCreateView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="videos_create",
        summary=_("Créer une vidéo (brouillon)"),
        request=VideoCreateInputSerializer,
        responses={201: VideoSerializer},
    )
    def post(self, request):
        if not permissions.can_upload_videos(request.user):
            raise exceptions.PermissionDenied()
        data = VideoCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisation_id = fields.pop("host_organisation", None)
        association_id = fields.pop("association", None)
        maker = self._maker(request.user, organisation_id, association_id)
        try:
            video = services.video_create(by=request.user, maker=maker, **fields)
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(_video_body(video, request), status=status.HTTP_201_CREATED)

    def _maker(self, user, organisation_id, association_id):
        organisations = permissions.maker_organisations(user)
        associations = permissions.maker_associations(user)
        if organisation_id and association_id:
            raise exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        gettext("Choisissez une structure ou une association, pas les deux.")
                    ]
                }
            )
        if organisation_id:
            maker = organisations.filter(pk=organisation_id).first()
        elif association_id:
            maker = associations.filter(pk=association_id).first()
        else:
            makers = [*organisations[:2], *associations[:2]]
            maker = makers[0] if len(makers) == 1 else None
        if maker is None:
            raise exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        gettext(
                            "Choisissez l'une de vos structures ou associations au nom de laquelle faire la vidéo."
                        )
                    ]
                }
            )
        return maker


class VideoDetailView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="videos_retrieve",
        summary=_("Une vidéo que l'on gère"),
        responses={200: VideoSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        return Response(_video_body(_managed_video(request, pk), request))

    @extend_schema(
        tags=TAGS,
        operation_id="videos_update",
        summary=_("Modifier une vidéo en brouillon"),
        request=VideoInputSerializer(partial=True),
        responses={200: VideoSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, pk):
        video = _managed_video(request, pk)
        data = VideoInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            video = services.video_update(video=video, by=request.user, **data.validated_data)
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(_video_body(video, request))

    @extend_schema(
        tags=TAGS,
        operation_id="videos_destroy",
        summary=_("Supprimer une vidéo et ses fichiers"),
        description=_(
            "Définitif : la vidéo, ses sous-titres et son historique, puis ses fichiers (vidéo, affiche, vignettes). "
            "Ses auteurs suppriment un brouillon ou une vidéo retirée ; l'équipe de la plateforme, toute vidéo."
        ),
        responses={
            204: None,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Vidéo publiée ou en attente de validation : à retirer d'abord (code « invalid_state »)."
                ),
            ),
        },
    )
    def delete(self, request, pk):
        video = _managed_video(request, pk)
        try:
            services.video_delete(video=video, actor=request.user)
        except services.VideoError as error:
            return error_response(error.code, error.messages[0], status_code=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VideoTransitionView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="videos_transition",
        summary=_("Changer l'état d'une vidéo"),
        description=_(
            "submit, withdraw, reopen pour ses auteurs ; publish, reject, withdraw pour l'équipe de la plateforme. "
            "Envoyer pour validation et publier demandent un fichier traité, des sous-titres en français et une "
            "transcription."
        ),
        request=TransitionInputSerializer,
        responses={200: VideoSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk):
        video = _managed_video(request, pk)
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        if action not in selectors.permitted_actions(request.user):
            raise exceptions.PermissionDenied()
        try:
            video = services.video_transition(
                video=video, by=request.user, action=action, note=data.validated_data.get("note", "")
            )
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(_video_body(video, request))


class CaptionUploadView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="videos_captions_create",
        summary=_("Ajouter ou remplacer les sous-titres d'une langue"),
        request={"multipart/form-data": CaptionInputSerializer},
        responses={201: CaptionSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk):
        video = _managed_video(request, pk)
        data = CaptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            caption = services.caption_set(
                video=video,
                by=request.user,
                language=data.validated_data["language"],
                data=upload.read(services.captions.max_caption_bytes() + 1),
                filename=upload.name,
            )
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(CaptionSerializer(caption).data, status=status.HTTP_201_CREATED)


class PosterUploadView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="videos_poster_create",
        summary=_("Envoyer l'affiche d'une vidéo"),
        request={"multipart/form-data": PosterInputSerializer},
        responses={200: VideoSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk):
        video = _managed_video(request, pk)
        upload = request.data.get("file")
        if not hasattr(upload, "read"):
            raise exceptions.ValidationError({"file": [gettext("Choisissez une image.")]})
        # Never more than the limit in memory: one byte over is enough for the service to refuse it.
        data = upload.read(services.images.max_image_bytes() + 1)
        try:
            video = services.poster_set(video=video, by=request.user, data=data)
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(_video_body(video, request))


class UploadCreateView(ApiView):
    @extend_schema(
        tags=TAGS,
        operation_id="videos_uploads_create",
        summary=_("Commencer l'envoi d'un fichier vidéo"),
        description=_(
            "Ouvre un envoi en plusieurs morceaux, que l'on peut reprendre après une coupure. La taille ne peut "
            "pas dépasser MEDIA_MAX_UPLOAD_BYTES (2 Go par défaut)."
        ),
        request=UploadInputSerializer,
        responses={201: UploadSerializer},
    )
    def post(self, request):
        if not permissions.can_upload_videos(request.user):
            raise exceptions.PermissionDenied()
        data = UploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        video = Video.objects.filter(pk=data.validated_data["video"]).first()
        if video is None or not permissions.can_manage_video(request.user, video):
            raise exceptions.ValidationError({"video": [gettext("Vidéo inconnue.")]})
        try:
            session = services.upload_session_create(
                video=video,
                by=request.user,
                filename=data.validated_data["filename"],
                size=data.validated_data["size"],
                sha256=data.validated_data.get("sha256", ""),
            )
        except services.VideoError as error:
            raise _refused(error) from None
        return Response(UploadSerializer(session).data, status=status.HTTP_201_CREATED)


class UploadDetailView(ApiView):
    # The chunk is read from the request's stream, as raw bytes, whatever its type.
    parser_classes = [FileUploadParser]

    def _session(self, request, pk) -> UploadSession:
        session = selectors.upload_for(request.user, pk)
        if session is None:
            raise exceptions.NotFound()
        return session

    @extend_schema(
        tags=TAGS,
        operation_id="videos_uploads_retrieve",
        summary=_("Où en est un envoi"),
        description=_("Pour reprendre après une coupure : le prochain morceau commence à « offset »."),
        responses={200: UploadSerializer},
    )
    def get(self, request, pk):
        session = self._session(request, pk)
        return Response(UploadSerializer(session).data, headers={"Upload-Offset": str(session.bytes_received)})

    @extend_schema(
        tags=TAGS,
        operation_id="videos_uploads_chunk",
        summary=_("Envoyer un morceau du fichier"),
        description=_(
            "Le corps est le morceau brut (application/octet-stream), placé par l'en-tête "
            "« Content-Range: bytes début-fin/taille ». Le dernier morceau fait analyser le fichier."
        ),
        parameters=[
            OpenApiParameter(
                "Content-Range",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=_("bytes début-fin/taille, fin comprise ; début = l'offset de l'envoi."),
            )
        ],
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={
            200: UploadSerializer,
            409: OpenApiResponse(
                OffsetErrorSerializer,
                description=_("Le morceau ne commence pas à l'offset de l'envoi (code « offset_mismatch »)."),
            ),
            422: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "Le fichier complet n'est pas une vidéo lisible (code « media_refused ») : rien n'est gardé."
                ),
            ),
            404: OpenApiResponse(ErrorSerializer, description=_("Envoi inconnu, ou d'une autre personne.")),
        },
    )
    def put(self, request, pk):
        session = self._session(request, pk)
        match = CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
        if not match:
            raise exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        gettext("L'en-tête Content-Range doit s'écrire « bytes début-fin/taille ».")
                    ]
                }
            )
        start, end, total = (int(value) for value in match.groups())
        if end < start:
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [gettext("Dans Content-Range, la fin précède le début.")]}
            )
        try:
            session = services.upload_chunk_append(
                session=session, start=start, length=end - start + 1, total=total, body=request._request
            )
        except services.OffsetMismatch as mismatch:
            return Response(
                error_body(mismatch.code, mismatch.messages[0], offset=mismatch.offset),
                status=status.HTTP_409_CONFLICT,
                headers={"Upload-Offset": str(mismatch.offset)},
            )
        except services.VideoError as error:
            if error.code in ("upload_closed", "upload_expired"):
                return error_response(error.code, error.messages[0], status_code=status.HTTP_409_CONFLICT)
            raise _refused(error) from None
        if session.status == UploadStatus.REFUSED:
            # Returned, not raised: the refusal (and the deleted file) is recorded for the uploader.
            return error_response("media_refused", session.failure, status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(UploadSerializer(session).data, headers={"Upload-Offset": str(session.bytes_received)})
