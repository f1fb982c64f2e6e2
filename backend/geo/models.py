from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.geo.search import normalise_search, search_keys


class Commune(models.Model):
    """A commune of mainland or overseas France, loaded offline by `manage.py import_communes`."""

    class CoordinatesSource(models.TextChoices):
        """Where the commune's point comes from (see data/SOURCE.md); all but POSTCODE lie within the commune."""

        PLACE = "place", _("centre du bourg (GeoNames)")
        TOWN_HALL = "town_hall", _("mairie")
        CENTROID = "centroid", _("centre du territoire communal")
        POSTCODE = "postcode", _("approximation par le code postal")
        NONE = "", _("aucune")

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
    coordinates_source = models.CharField(
        _("origine des coordonnées"),
        max_length=10,
        choices=CoordinatesSource.choices,
        blank=True,
        default=CoordinatesSource.NONE,
        help_text=_("Approximation par le code postal : la moyenne des communes de même code postal, à quelques km."),
    )
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]

    def __str__(self):
        return f"{self.name} ({self.departement_code})"

    def save(self, *args, **kwargs):
        """Keep the search name and search keys in step with the name (the import does so in bulk)."""
        self.search_name = normalise_search(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)
        keys = search_keys(self.search_name)
        if sorted(self.search_keys.values_list("key", flat=True)) != sorted(keys):
            self.search_keys.all().delete()
            SearchKey.objects.bulk_create([SearchKey(key=key, commune=self) for key in keys])

    @property
    def has_approximate_coordinates(self) -> bool:
        """The point is the mean of the communes sharing a postcode: a few kilometres off, not within the commune."""
        return self.coordinates_source == self.CoordinatesSource.POSTCODE


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


class SearchKey(models.Model):
    """The commune's search name from each of its words on, for searching by any word with an index.

    "saint etienne du rouvray" gives "saint etienne du rouvray", "etienne du rouvray", "du rouvray" and "rouvray":
    whoever types "rouvray" or "etienne du r" finds the commune by a prefix lookup, on SQLite as on PostgreSQL,
    instead of a LIKE '%…%' that reads the whole table. Kept in step by `manage.py import_communes`.
    """

    key = models.CharField(max_length=200, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="search_keys")

    class Meta:
        verbose_name = _("clé de recherche")
        verbose_name_plural = _("clés de recherche")

    def __str__(self):
        return self.key
