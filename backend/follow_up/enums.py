from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackKind(models.TextChoices):
    """What a questionnaire is about."""

    SESSION = "session", _("Séquence de découverte")
    TUTORING = "tutoring", _("Rendez-vous de tutorat")
    INTERNSHIP = "internship", _("Stage")


class RespondentRole(models.TextChoices):
    """Pupils, and the adults who received them: professionals, facilitators, tutors, host organisations."""

    PUPIL = "pupil", _("Élève")
    HOST = "host", _("Accueillant")


class HelpedChoose(models.TextChoices):
    YES = "yes", _("Oui")
    A_LITTLE = "a_little", _("Un peu")
    NO = "no", _("Non")


class Satisfaction(models.IntegerChoices):
    NOT_AT_ALL = 1, _("Pas du tout satisfait(e)")
    RATHER_NOT = 2, _("Plutôt pas satisfait(e)")
    MIDDLING = 3, _("Moyennement satisfait(e)")
    RATHER = 4, _("Plutôt satisfait(e)")
    VERY = 5, _("Très satisfait(e)")


# The URL's word for each kind (the site's addresses are French).
KIND_SLUGS = {"sequence": FeedbackKind.SESSION, "tutorat": FeedbackKind.TUTORING, "stage": FeedbackKind.INTERNSHIP}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
