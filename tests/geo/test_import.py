import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backend.geo.models import Commune, Postcode, SearchKey
from backend.geo.services import DATA_FILE, import_communes, read_communes_file
from tests import factories
from tests.geo.samples import (
    SAMPLE_APPROXIMATE,
    SAMPLE_COMMUNES,
    SAMPLE_SOURCES,
    SAMPLE_WITHOUT_COORDINATES,
)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("import_communes", *args, stdout=out)
    return out.getvalue()


def write_variant(source, target, change=None, drop=()):
    """A copy of the sample file with one row changed and some rows left out."""
    with open(source, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            if row["insee_code"] in drop:
                continue
            if change and row["insee_code"] == change[0]:
                row.update(change[1])
            writer.writerow(row)
    return target


def test_dry_run_by_default_writes_nothing(sample_file):
    output = run("--file", str(sample_file))
    assert Commune.objects.count() == 0
    assert Postcode.objects.count() == 0
    assert f"Communes à créer (simulation) : {SAMPLE_COMMUNES}" in output
    assert f"{SAMPLE_WITHOUT_COORDINATES} communes sans coordonnées" in output
    assert f"{SAMPLE_APPROXIMATE} approximées par le code postal" in output
    assert "--wet-run" in output


def test_wet_run_imports_the_sample(sample_file):
    output = run("--file", str(sample_file), "--wet-run")
    assert Commune.objects.count() == SAMPLE_COMMUNES
    assert f"Communes créées : {SAMPLE_COMMUNES}" in output
    assert f"{SAMPLE_WITHOUT_COORDINATES} communes sans coordonnées" in output
    assert f"{SAMPLE_APPROXIMATE} approximées par le code postal" in output
    assert Commune.objects.filter(latitude__isnull=True).count() == SAMPLE_WITHOUT_COORDINATES

    saint_etienne = Commune.objects.get(insee_code="42218")
    assert saint_etienne.name == "Saint-Étienne"
    assert saint_etienne.search_name == "saint etienne"
    assert saint_etienne.departement_name == "Loire"
    assert saint_etienne.region_name == "Auvergne-Rhône-Alpes"
    assert saint_etienne.time_zone == "Europe/Paris"
    assert saint_etienne.latitude == pytest.approx(45.43, abs=0.05)
    assert saint_etienne.coordinates_source == Commune.CoordinatesSource.PLACE
    assert not saint_etienne.has_approximate_coordinates
    assert sorted(saint_etienne.postcodes.values_list("code", flat=True)) == ["42000", "42100", "42230"]
    assert set(saint_etienne.search_keys.values_list("key", flat=True)) == {"saint etienne", "etienne"}

    assert Commune.objects.get(insee_code="97411").time_zone == "Indian/Reunion"
    assert Commune.objects.get(insee_code="98723").time_zone == "Pacific/Marquesas"
    assert Commune.objects.get(insee_code="2A004").departement_code == "2A"
    # A postcode may serve several communes.
    assert Postcode.objects.filter(code="01400").count() == 2


def test_each_commune_keeps_the_origin_of_its_coordinates(sample_file):
    import_communes(sample_file, apply=True)
    sources = dict(Commune.objects.values_list("insee_code", "coordinates_source"))
    for code, source in sources.items():
        assert source == SAMPLE_SOURCES.get(code, Commune.CoordinatesSource.PLACE), code

    celles = Commune.objects.get(insee_code="15031")
    assert celles.has_approximate_coordinates
    assert celles.get_coordinates_source_display() == "approximation par le code postal"
    assert (celles.latitude, celles.longitude) == pytest.approx((45.1451, 3.0337))
    arutua = Commune.objects.get(insee_code="98713")
    assert (arutua.latitude, arutua.longitude, arutua.coordinates_source) == (None, None, "")
    assert not arutua.has_approximate_coordinates
    assert Commune.objects.filter(coordinates_source="postcode").count() == SAMPLE_APPROXIMATE


def test_a_better_position_replaces_an_approximation(sample_file, tmp_path):
    import_communes(sample_file, apply=True)
    variant = write_variant(
        sample_file,
        tmp_path / "variant.csv",
        change=("15031", {"latitude": "45.1420", "longitude": "2.9990", "coordinates_source": "town_hall"}),
    )
    output = run("--file", str(variant), "--wet-run")
    assert "Communes mises à jour : 1 (15031)" in output
    assert "0 approximées par le code postal" in output
    celles = Commune.objects.get(insee_code="15031")
    assert (celles.latitude, celles.coordinates_source) == (45.142, "town_hall")
    assert not import_communes(variant).changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coordinates_source": "guess"}, "origine des coordonnées inconnue"),
        ({"coordinates_source": ""}, "si et seulement s'il y a des coordonnées"),  # a point from nowhere
        ({"latitude": "", "longitude": ""}, "si et seulement s'il y a des coordonnées"),  # an origin of nothing
    ],
)
def test_coordinates_and_their_origin_go_together(sample_file, tmp_path, change, message):
    variant = write_variant(sample_file, tmp_path / "variant.csv", change=("42218", change))
    with pytest.raises(CommandError, match=message):
        run("--file", str(variant))


def test_second_run_changes_nothing(sample_file):
    import_communes(sample_file, apply=True)
    before = list(Commune.objects.order_by("id").values())
    postcodes = list(Postcode.objects.order_by("id").values())
    keys = SearchKey.objects.count()

    report = import_communes(sample_file, apply=True)
    assert not report.changed
    assert (report.created, report.updated, report.deleted) == ([], [], [])
    assert list(Commune.objects.order_by("id").values()) == before
    assert list(Postcode.objects.order_by("id").values()) == postcodes
    assert SearchKey.objects.count() == keys
    assert "Rien à changer" in run("--file", str(sample_file))


def test_changes_are_reported_then_applied(sample_file, tmp_path):
    import_communes(sample_file, apply=True)
    variant = write_variant(
        sample_file,
        tmp_path / "variant.csv",
        change=("42218", {"name": "Saint-Étienne-en-Forez", "postcodes": "42000 42100"}),
        drop={"55502"},
    )

    output = run("--file", str(variant))
    assert "Communes à mettre à jour (simulation) : 1 (42218)" in output
    assert "Communes à supprimer (simulation) : 1 (55502)" in output
    assert "Codes postaux à ajouter : 0, à retirer : 1" in output
    assert Commune.objects.get(insee_code="42218").name == "Saint-Étienne"  # dry run

    run("--file", str(variant), "--wet-run")
    commune = Commune.objects.get(insee_code="42218")
    assert commune.name == "Saint-Étienne-en-Forez"
    assert commune.search_name == "saint etienne en forez"
    assert "en forez" in set(commune.search_keys.values_list("key", flat=True))
    assert sorted(commune.postcodes.values_list("code", flat=True)) == ["42000", "42100"]
    assert not Commune.objects.filter(insee_code="55502").exists()
    assert not import_communes(variant).changed


def test_communes_still_referenced_are_kept_and_reported(sample_file, tmp_path):
    import_communes(sample_file, apply=True)
    school = factories.SchoolFactory(commune=Commune.objects.get(insee_code="93066"))
    organisation = factories.HostOrganisationFactory(commune=Commune.objects.get(insee_code="55502"))
    variant = write_variant(sample_file, tmp_path / "variant.csv", drop={"93066", "55502", "57521"})

    output = run("--file", str(variant), "--wet-run")
    assert "Communes supprimées : 1 (57521)" in output
    assert "conservées car référencées" in output
    assert "55502, 93066" in output
    school.refresh_from_db()
    organisation.refresh_from_db()
    assert school.commune.insee_code == "93066"
    assert organisation.commune.insee_code == "55502"
    assert Commune.objects.get(insee_code="93066").postcodes.count() == 3


def test_unreadable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("insee_code,name\n42218,Saint-Étienne\n", encoding="utf-8")
    with pytest.raises(CommandError, match="colonnes absentes"):
        run("--file", str(bad))
    with pytest.raises(CommandError, match="illisible"):
        run("--file", str(tmp_path / "missing.csv"))


def test_bad_row_names_its_line(sample_file, tmp_path):
    variant = write_variant(sample_file, tmp_path / "variant.csv", change=("42218", {"time_zone": "Mars/Olympus"}))
    with pytest.raises(CommandError, match="fuseau horaire inconnu"):
        run("--file", str(variant))


def test_shipped_file_holds_every_commune():
    rows = read_communes_file(DATA_FILE)
    assert len(rows) > 34000
    departements = {row["departement_code"] for row in rows}
    mainland = {f"{number:02d}" for number in range(1, 96) if number != 20} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "976"}
    assert mainland | overseas <= departements
    assert len(mainland | overseas) == 101
    assert {"975", "977", "978", "986", "987", "988"} <= departements  # collectivités d'outre-mer
    assert all(row["postcodes"] for row in rows)
    located = [row for row in rows if row["latitude"] is not None]
    # Measured on the shipped file: 25 communes without coordinates (0.07 %), all atolls or islands of French
    # Polynesia and New Caledonia, and 4 approximated by their postcode (see data/SOURCE.md).
    unplaced = [row for row in rows if row["latitude"] is None]
    assert len(unplaced) <= 30
    assert {row["departement_code"] for row in unplaced} <= {"987", "988"}
    sources = Counter(row["coordinates_source"] for row in rows)
    assert sources["postcode"] <= 10
    assert sources["place"] > 14000
    assert sources["town_hall"] > 18000
    assert sources["place"] + sources["town_hall"] + sources["centroid"] > 0.99 * len(rows)
    # Every point lies in France or its overseas territories' latitudes and longitudes.
    for row in located:
        if row["departement_code"] in mainland:
            assert 41 < row["latitude"] < 51.2, row
            assert -5.3 < row["longitude"] < 9.7, row
    zones = {row["time_zone"] for row in rows}
    assert zones == {
        "Europe/Paris",
        "America/Guadeloupe",
        "America/Martinique",
        "America/Cayenne",
        "Indian/Reunion",
        "Indian/Mayotte",
        "America/Miquelon",
        "Pacific/Wallis",
        "Pacific/Tahiti",
        "Pacific/Marquesas",
        "Pacific/Gambier",
        "Pacific/Noumea",
    }


def test_shipped_file_imports_fully_and_quickly():
    report = import_communes(DATA_FILE, apply=True)
    assert report.communes_in_file == Commune.objects.count() > 34000
    assert Commune.objects.filter(latitude__isnull=True).count() == report.without_coordinates
    assert Commune.objects.filter(coordinates_source="postcode").count() == report.approximate_coordinates
    assert report.without_coordinates <= 30
    assert Postcode.objects.count() == report.postcodes_in_file
    assert Commune.objects.get(insee_code="75056").postcodes.count() == 21
