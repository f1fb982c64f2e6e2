from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole, OrganisationKind, OrganisationRole, Sector
from backend.organisations.validators import normalise_siret, validate_siret


class HostOrganisation(models.Model):
    """A company or an administration that hosts pupils and whose professionals present their jobs."""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=OrganisationKind.choices)
    siret = models.CharField(_("numéro SIRET"), max_length=14, unique=True, validators=[validate_siret])
    sector = models.CharField(_("secteur"), max_length=1, choices=Sector.choices)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("structure d'accueil")
        verbose_name_plural = _("structures d'accueil")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.siret = normalise_siret(self.siret)
        super().save(*args, **kwargs)


class OrganisationMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    organisation = models.ForeignKey(HostOrganisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=OrganisationRole.choices)
    status = models.CharField(
        _("statut"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une structure d'accueil")
        verbose_name_plural = _("membres des structures d'accueil")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="organisations_membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation}"


class Association(models.Model):
    """A partner association: it organises remote discovery sessions and tutoring, and pushes offers."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    siret = models.CharField(
        _("numéro SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("Facultatif pour une association sans salarié."),
    )
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    national_partner = models.BooleanField(_("partenaire national du dispositif"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("association partenaire")
        verbose_name_plural = _("associations partenaires")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.siret = normalise_siret(self.siret)
        super().save(*args, **kwargs)


class AssociationMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="association_memberships"
    )
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="memberships")
    # Only the staff organise sessions and confirm members; a tutor is affiliated, nothing more.
    role = models.CharField(_("rôle"), max_length=16, choices=AssociationRole.choices, default=AssociationRole.STAFF)
    status = models.CharField(
        _("statut"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une association")
        verbose_name_plural = _("membres des associations")
        constraints = [
            models.UniqueConstraint(fields=["user", "association"], name="organisations_assoc_membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.association}"


class PartnerToken(models.Model):
    """A key of the partner API, owned by an association (not by a person): its programs push offers with it.

    Only the SHA-256 of the secret is kept; the secret is shown once, when the token is made. The prefix, the
    first characters of the secret, tells tokens apart in lists and logs. A revoked token stays listed, for
    the record, and never works again.
    """

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="partner_tokens", verbose_name=_("association")
    )
    name = models.CharField(_("nom du jeton"), max_length=100, help_text=_("Pour le reconnaître : « Site web », …"))
    prefix = models.CharField(_("début du jeton"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
    )

    class Meta:
        verbose_name = _("jeton de l'API partenaire")
        verbose_name_plural = _("jetons de l'API partenaire")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.association} — {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
