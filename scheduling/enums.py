from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a tutoring slot is for."""

    HOMEWORK = "homework", _("Aide aux devoirs")
    DISCOVER_JOB = "discover_job", _("Découvrir un métier")
    CV = "cv", _("Préparer le stage : CV")
    COVER_LETTER = "cover_letter", _("Préparer le stage : lettre de motivation")
    INTERVIEW = "interview", _("Préparer le stage : entretien")
    ORIENTATION = "orientation", _("Orientation")


class SlotFormat(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("Individuel")
    GROUP = "group", _("Petit groupe")


class RulePurpose(models.TextChoices):
    """Tutors open slots that pupils book; professionals and facilitators say when they are free for sessions."""

    TUTORING = "tutoring", _("Tutorat")
    SESSIONS = "sessions", _("Séquences de découverte")


class ExceptionKind(models.TextChoices):
    UNAVAILABLE = "unavailable", _("Indisponible")
    EXTRA = "extra", _("Disponibilité supplémentaire")


class SchoolZone(models.TextChoices):
    """Zones of the ministry's school calendar: the three mainland zones, Corsica and the overseas académies."""

    A = "A", _("Zone A")
    B = "B", _("Zone B")
    C = "C", _("Zone C")
    CORSE = "corse", _("Corse")
    GUADELOUPE = "guadeloupe", _("Guadeloupe")
    MARTINIQUE = "martinique", _("Martinique")
    GUYANE = "guyane", _("Guyane")
    REUNION = "reunion", _("La Réunion")
    MAYOTTE = "mayotte", _("Mayotte")
    SAINT_PIERRE = "saint_pierre", _("Saint-Pierre-et-Miquelon")
    NOUVELLE_CALEDONIE = "nouvelle_caledonie", _("Nouvelle-Calédonie")
    POLYNESIE = "polynesie", _("Polynésie française")
    WALLIS = "wallis", _("Wallis-et-Futuna")


class SlotStatus(models.TextChoices):
    OPEN = "open", _("Ouvert")
    CANCELLED = "cancelled", _("Annulé")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Réservé")
    CANCELLED = "cancelled", _("Annulé")
    ATTENDED = "attended", _("Présent")
    NO_SHOW = "no_show", _("Absent")


class SessionMode(models.TextChoices):
    CLASS = "class", _("Une enseignante ou un enseignant réserve pour toute sa classe")
    INDIVIDUAL = "individual", _("Les élèves s'inscrivent un par un")


class CapacityUnit(models.TextChoices):
    CLASSES = "classes", _("classes")
    PUPILS = "pupils", _("élèves")


class SessionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PROPOSED = "proposed", _("Proposée à une classe")
    PUBLISHED = "published", _("Ouverte aux réservations")
    CANCELLED = "cancelled", _("Annulée")


class VideoProvider(models.TextChoices):
    WEBCONF = "webconf", _("Webconférence de l'État")
    BBB = "bbb", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi Meet")
    TEAMS = "teams", _("Microsoft Teams")
    ZOOM = "zoom", _("Zoom")
    OTHER = "other", _("Autre")


class SessionBookingStatus(models.TextChoices):
    PENDING = "pending", _("En attente de confirmation par l'association")
    CONFIRMED = "confirmed", _("Confirmée")
    WAITLISTED = "waitlisted", _("Sur liste d'attente")
    CANCELLED = "cancelled", _("Annulée")
    DECLINED = "declined", _("Refusée")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    PROPOSED = "proposed", _("Horaire proposé")
    SCHEDULED = "scheduled", _("Séquence programmée")
    DECLINED = "declined", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")


class ReminderOffset(models.TextChoices):
    DAY = "24h", _("24 heures avant")
    HOUR = "1h", _("1 heure avant")


class AttendanceSource(models.TextChoices):
    """How a pupil's presence at a discovery session became known."""

    ROLL_CALL = "roll_call", _("Appel fait par un adulte")
    LIVE_ROOM = "live_room", _("Connexion au salon en direct")
