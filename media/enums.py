from django.db import models
from django.utils.translation import gettext_lazy as _


class VideoState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    IN_REVIEW = "in_review", _("En attente de validation")
    PUBLISHED = "published", _("Publiée")
    WITHDRAWN = "withdrawn", _("Retirée")


class ProcessingStatus(models.TextChoices):
    """The background work on the uploaded file: probing, poster frame, thumbnails."""

    NO_FILE = "no_file", _("Aucun fichier envoyé")
    PENDING = "pending", _("En attente de traitement")
    RUNNING = "running", _("Traitement en cours")
    SUCCEEDED = "succeeded", _("Traitement terminé")
    FAILED = "failed", _("Traitement en échec")


class VideoLevel(models.TextChoices):
    COLLEGE = "college", _("Collège")
    LYCEE_PRO = "lycee_pro", _("Lycée professionnel")
    ALL = "all", _("Collège et lycée professionnel")


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Envoi en cours")
    COMPLETE = "complete", _("Fichier reçu et accepté")
    REFUSED = "refused", _("Fichier refusé")
    EXPIRED = "expired", _("Envoi expiré")


class ImageFormat(models.TextChoices):
    WEBP = "webp", "WebP"
    JPEG = "jpeg", "JPEG"


class VideoEventKind(models.TextChoices):
    CREATED = "created", _("Création")
    EDITED = "edited", _("Modification")
    FILE_RECEIVED = "file_received", _("Fichier reçu")
    PROCESSED = "processed", _("Traitement terminé")
    PROCESSING_FAILED = "processing_failed", _("Traitement en échec")
    CAPTIONS_SET = "captions_set", _("Sous-titres ajoutés")
    SUBMITTED = "submitted", _("Envoi pour validation")
    PUBLISHED = "published", _("Publication")
    REJECTED = "rejected", _("Renvoi en brouillon par la modération")
    WITHDRAWN = "withdrawn", _("Retrait")
    REOPENED = "reopened", _("Remise en brouillon")
