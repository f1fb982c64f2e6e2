from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    """A commune of mainland or overseas France, loaded offline by `manage.py import_communes`."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    # Lower-case, accent-free name for searching ("saint etienne" finds "Saint-Étienne").
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    departement_code = models.CharField(_("département"), max_length=3, db_index=True)
    departement_name = models.CharField(_("nom du département"), max_length=100)
    region_code = models.CharField(_("région"), max_length=3, blank=True)
    region_name = models.CharField(_("nom de la région"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]

    def __str__(self):
        return f"{self.name} ({self.departement_code})"


class Postcode(models.Model):
    """A postcode of a commune: a commune may have several, and a postcode may serve several communes."""

    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="geo_postcode_unique")]

    def __str__(self):
        return self.code
