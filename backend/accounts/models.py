import datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import TIME_ZONES, ConsentStatus

# Age below which a pupil needs a guardian's consent before using the interactive features (GDPR, art. 8,
# as set for France by the loi Informatique et libertés, art. 45).
CONSENT_AGE = 15


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, username, email, password, **extra):
        email = self.normalize_email(email or "").lower()
        user = self.model(username=(username or email).lower(), email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username=None, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(username, email, password, **extra)

    def create_superuser(self, username=None, email=None, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Adults sign in with their e-mail; pupils have no e-mail and sign in with an identifier."""

    username = models.CharField(
        _("identifiant"),
        max_length=254,
        unique=True,
        help_text=_("L'adresse e-mail pour les adultes, un identifiant attribué pour les élèves."),
    )
    email = models.EmailField(_("adresse e-mail"), blank=True, default="")
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, choices=TIME_ZONES, default="Europe/Paris")
    email_verified_at = models.DateTimeField(_("adresse e-mail vérifiée le"), null=True, blank=True)
    must_change_password = models.BooleanField(_("doit changer son mot de passe"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("équipe de la plateforme"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_unique_ci"
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if not self.is_pupil and self.email:
            # An adult signs in with her e-mail: the identifier follows it.
            self.username = self.email
        super().save(*args, **kwargs)

    @property
    def is_pupil(self) -> bool:
        return hasattr(self, "pupil_profile")

    @property
    def display_name(self) -> str:
        """Pupils are shown by first name and initial everywhere; adults by their full name."""
        if self.is_pupil:
            initial = self.last_name[:1].upper()
            return f"{self.first_name} {initial}." if initial else self.first_name
        return f"{self.first_name} {self.last_name}".strip() or self.username

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name


class PupilProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="pupil_profile")
    birth_date = models.DateField(_("date de naissance"))
    consent_status = models.CharField(_("accord du représentant légal"), max_length=16, choices=ConsentStatus.choices)
    consent_recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accord enregistré par"),
    )
    consent_recorded_at = models.DateTimeField(_("accord enregistré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("profil d'élève")
        verbose_name_plural = _("profils d'élèves")

    def __str__(self):
        return str(self.user)

    @staticmethod
    def age_on(birth_date: datetime.date, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
        return day.year - birth_date.year - int(before_birthday)

    @property
    def consent_pending(self) -> bool:
        return self.consent_status == ConsentStatus.PENDING


class TutorProfile(models.Model):
    """A volunteer who offers tutoring. Honourability checks arrive with the scheduling of one-to-one slots."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="tutor_profile")
    presentation = models.TextField(_("présentation"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("profil de tuteur bénévole")
        verbose_name_plural = _("profils de tuteurs bénévoles")

    def __str__(self):
        return str(self.user)
