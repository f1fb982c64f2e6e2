"""Loading the communes reference file into the database (see data/SOURCE.md for where the file comes from)."""

import csv
import gzip
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from backend.geo.models import Commune, Postcode, SearchKey
from backend.geo.search import normalise_search, search_keys

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"

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
    "coordinates_source",
    "time_zone",
    "postcodes",
]
# Fields of Commune that the file sets, in the order they are compared.
COMMUNE_FIELDS = [
    "name",
    "search_name",
    "departement_code",
    "departement_name",
    "region_code",
    "region_name",
    "population",
    "latitude",
    "longitude",
    "coordinates_source",
    "time_zone",
]
COORDINATES_SOURCES = set(Commune.CoordinatesSource.values)
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTCODE = re.compile(r"^\d{5}$")
BATCH_SIZE = 2000  # rows fetched or inserted at a time
IN_BATCH_SIZE = 500  # values in one IN (...) list: below the 999 parameters that Django assumes for SQLite


class CommuneFileError(Exception):
    """The file cannot be read as a communes file; the message says where and why."""


@dataclass
class ImportReport:
    communes_in_file: int = 0
    postcodes_in_file: int = 0
    created: list[str] = field(default_factory=list)  # INSEE codes
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept_referenced: list[str] = field(default_factory=list)  # gone from the file but still referenced
    postcodes_added: int = 0
    postcodes_removed: int = 0
    search_keys_added: int = 0
    search_keys_removed: int = 0
    without_coordinates: int = 0
    approximate_coordinates: int = 0  # placed at the mean point of the communes sharing a postcode
    applied: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deleted
            or self.postcodes_added
            or self.postcodes_removed
            or self.search_keys_added
            or self.search_keys_removed
        )


def _optional_float(value: str, line: int, column: str) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise CommuneFileError(f"ligne {line} : {column} n'est pas un nombre ({value!r})") from None


def read_communes_file(path: Path | str = DATA_FILE) -> list[dict]:
    """The rows of a communes file (CSV, gzip-compressed or not), checked and converted."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    time_zones = zoneinfo.available_timezones()
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise CommuneFileError(f"colonnes absentes : {', '.join(sorted(missing))}")
            rows = []
            seen = set()
            for line, raw in enumerate(reader, start=2):
                code = raw["insee_code"].strip()
                if not INSEE_CODE.match(code):
                    raise CommuneFileError(f"ligne {line} : code INSEE invalide ({code!r})")
                if code in seen:
                    raise CommuneFileError(f"ligne {line} : code INSEE en double ({code})")
                seen.add(code)
                name = raw["name"].strip()
                if not name:
                    raise CommuneFileError(f"ligne {line} : nom vide")
                time_zone = raw["time_zone"].strip()
                if time_zone not in time_zones:
                    raise CommuneFileError(f"ligne {line} : fuseau horaire inconnu ({time_zone!r})")
                postcodes = sorted(set(raw["postcodes"].split()))
                for postcode in postcodes:
                    if not POSTCODE.match(postcode):
                        raise CommuneFileError(f"ligne {line} : code postal invalide ({postcode!r})")
                population = raw["population"].strip()
                if population and not population.isdigit():
                    raise CommuneFileError(f"ligne {line} : population invalide ({population!r})")
                latitude = _optional_float(raw["latitude"].strip(), line, "latitude")
                longitude = _optional_float(raw["longitude"].strip(), line, "longitude")
                if (latitude is None) != (longitude is None):
                    raise CommuneFileError(f"ligne {line} : latitude et longitude vont ensemble")
                source = raw["coordinates_source"].strip()
                if source not in COORDINATES_SOURCES:
                    raise CommuneFileError(f"ligne {line} : origine des coordonnées inconnue ({source!r})")
                if (latitude is None) != (source == Commune.CoordinatesSource.NONE):
                    raise CommuneFileError(
                        f"ligne {line} : l'origine des coordonnées est donnée si et seulement s'il y a des coordonnées"
                    )
                rows.append(
                    {
                        "insee_code": code,
                        "name": name,
                        "search_name": normalise_search(name),
                        "departement_code": raw["departement_code"].strip(),
                        "departement_name": raw["departement_name"].strip(),
                        "region_code": raw["region_code"].strip(),
                        "region_name": raw["region_name"].strip(),
                        "population": int(population) if population else None,
                        "latitude": latitude,
                        "longitude": longitude,
                        "coordinates_source": source,
                        "time_zone": time_zone,
                        "postcodes": postcodes,
                    }
                )
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise CommuneFileError(f"{path} : {error}") from error
    return rows


def referenced_commune_ids(ids: list[int]) -> set[int]:
    """Those of the given communes that rows of other tables (schools, host organisations…) point to.

    Every relation towards Commune counts, hidden ones (related_name="+") included; postcodes and search keys
    do not: they belong to the commune and go with it.
    """
    referenced: set[int] = set()
    for relation in Commune._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue  # not a relation from another model towards Commune
        if relation.related_model in (Postcode, SearchKey):
            continue
        lookup = relation.field.name
        for start in range(0, len(ids), IN_BATCH_SIZE):
            batch = ids[start : start + IN_BATCH_SIZE]
            referenced.update(
                relation.related_model._base_manager.filter(**{f"{lookup}__in": batch})
                .values_list(lookup, flat=True)
                .distinct()
            )
    return referenced


def insert_rows(model, fields: list[str], rows: list[tuple]):
    """INSERT plain value tuples: bulk_create without building a model instance per row.

    PostgreSQL loads them with COPY, other databases (SQLite) with one prepared statement run many times.
    For ~35,000 communes and their postcodes this brings the full import from several seconds to one or two.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):  # psycopg 3
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


def _child_changes(model, field: str, wanted: set[tuple[str, str]], left_alone: set[str]):
    """Rows of a table hanging off Commune to add ((value, INSEE code) pairs) and to remove (primary keys)."""
    current = {
        (value, insee_code): pk
        for pk, value, insee_code in model.objects.values_list("id", field, "commune__insee_code").iterator(BATCH_SIZE)
    }
    to_add = sorted(wanted - current.keys())
    to_remove = [pk for pair, pk in current.items() if pair not in wanted and pair[1] not in left_alone]
    return to_add, to_remove


def import_communes(path: Path | str = DATA_FILE, *, apply: bool = False) -> ImportReport:
    """Bring the communes table in line with the file; only report what would change unless `apply`.

    Idempotent: a second run finds nothing to do. Communes no longer in the file are deleted, except those
    still referenced by other rows, which are kept and listed in the report.
    """
    rows = read_communes_file(path)
    report = ImportReport(
        communes_in_file=len(rows),
        postcodes_in_file=sum(len(row["postcodes"]) for row in rows),
        without_coordinates=sum(1 for row in rows if row["latitude"] is None),
        approximate_coordinates=sum(
            1 for row in rows if row["coordinates_source"] == Commune.CoordinatesSource.POSTCODE
        ),
    )
    with transaction.atomic():
        existing = {
            values[1]: values
            for values in Commune.objects.values_list("id", "insee_code", *COMMUNE_FIELDS).iterator(BATCH_SIZE)
        }
        in_file = {row["insee_code"] for row in rows}
        to_create, to_update, updated = [], [], []
        for row in rows:
            current = existing.get(row["insee_code"])
            wanted = tuple(row[name] for name in COMMUNE_FIELDS)
            if current is None:
                to_create.append((row["insee_code"], *wanted))
            elif current[2:] != wanted:
                to_update.append(Commune(id=current[0], **dict(zip(COMMUNE_FIELDS, wanted, strict=True))))
                updated.append(row["insee_code"])
        report.created = [values[0] for values in to_create]
        report.updated = updated

        gone = {code: values[0] for code, values in existing.items() if code not in in_file}
        referenced = referenced_commune_ids(list(gone.values())) if gone else set()
        report.kept_referenced = sorted(code for code, pk in gone.items() if pk in referenced)
        report.deleted = sorted(code for code, pk in gone.items() if pk not in referenced)

        # Postcodes and search keys belong to their commune: those of deleted communes go with them, those of
        # communes kept because referenced stay as they are.
        left_alone = set(report.deleted) | set(report.kept_referenced)
        postcodes_to_add, postcodes_to_remove = _child_changes(
            Postcode, "code", {(code, row["insee_code"]) for row in rows for code in row["postcodes"]}, left_alone
        )
        keys_to_add, keys_to_remove = _child_changes(
            SearchKey,
            "key",
            {(key, row["insee_code"]) for row in rows for key in search_keys(row["search_name"])},
            left_alone,
        )
        report.postcodes_added = len(postcodes_to_add)
        report.postcodes_removed = len(postcodes_to_remove)
        report.search_keys_added = len(keys_to_add)
        report.search_keys_removed = len(keys_to_remove)

        if not apply:
            return report

        deleted_ids = [gone[code] for code in report.deleted]
        for start in range(0, len(deleted_ids), IN_BATCH_SIZE):
            Commune.objects.filter(id__in=deleted_ids[start : start + IN_BATCH_SIZE]).delete()
        for model, pks in [(Postcode, postcodes_to_remove), (SearchKey, keys_to_remove)]:
            for start in range(0, len(pks), IN_BATCH_SIZE):
                model.objects.filter(id__in=pks[start : start + IN_BATCH_SIZE]).delete()
        insert_rows(Commune, ["insee_code", *COMMUNE_FIELDS], to_create)
        if to_update:
            Commune.objects.bulk_update(to_update, COMMUNE_FIELDS, batch_size=500)
        if postcodes_to_add or keys_to_add:
            ids = dict(Commune.objects.values_list("insee_code", "id").iterator(BATCH_SIZE))
            insert_rows(Postcode, ["code", "commune_id"], [(code, ids[insee]) for code, insee in postcodes_to_add])
            insert_rows(SearchKey, ["key", "commune_id"], [(key, ids[insee]) for key, insee in keys_to_add])
        report.applied = True
    return report
