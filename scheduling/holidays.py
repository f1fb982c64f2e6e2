"""Days without tutoring when a tutor asks for it: public holidays of the territory and school holidays of a zone.

Public holidays come from the `holidays` package (France, with the overseas territories as its subdivisions:
"971" Guadeloupe, "972" Martinique, "973" Guyane, "974" La Réunion, "976" Mayotte, "PM", "NC", "PF", "WF"); the
territory is read from the time zone, since the platform's time zones map one-to-one onto them. School holidays
are rows of `SchoolHolidayPeriod`, imported from the ministry's published calendar (`scheduling/data/`,
`manage.py import_school_holidays`) and editable by platform staff in the admin.

Dates are local dates of the territory; every range here is inclusive at both ends.
"""

import csv
import dataclasses
import datetime
import functools
import re
from pathlib import Path

import holidays as holidays_package
from django.db import transaction

from scheduling.enums import SchoolZone
from scheduling.models import SchoolHolidayPeriod

# The `holidays` subdivision of France for each platform time zone; mainland France (and Corsica) has none: its
# public holidays are the national ones. America/Guadeloupe also covers Saint-Martin and Saint-Barthélemy, whose
# few extra days are not worth a time zone of their own: Guadeloupe's calendar is used.
PUBLIC_HOLIDAY_SUBDIVISIONS = {
    "Europe/Paris": None,
    "America/Guadeloupe": "971",
    "America/Martinique": "972",
    "America/Cayenne": "973",
    "Indian/Reunion": "974",
    "Indian/Mayotte": "976",
    "America/Miquelon": "PM",
    "Pacific/Noumea": "NC",
    "Pacific/Tahiti": "PF",
    "Pacific/Wallis": "WF",
}

# The school zone of each overseas time zone: one académie (or vice-rectorat) each. Mainland France has three
# zones plus Corsica, so a time zone alone does not tell.
TIME_ZONE_SCHOOL_ZONES = {
    "America/Guadeloupe": SchoolZone.GUADELOUPE,
    "America/Martinique": SchoolZone.MARTINIQUE,
    "America/Cayenne": SchoolZone.GUYANE,
    "Indian/Reunion": SchoolZone.REUNION,
    "Indian/Mayotte": SchoolZone.MAYOTTE,
    "America/Miquelon": SchoolZone.SAINT_PIERRE,
    "Pacific/Noumea": SchoolZone.NOUVELLE_CALEDONIE,
    "Pacific/Tahiti": SchoolZone.POLYNESIE,
    "Pacific/Wallis": SchoolZone.WALLIS,
}

# Académie → school zone: mainland zones as fixed by the arrêté of 15 December 2020 and kept since (see
# scheduling/data/SOURCE.md); Corsica and each overseas académie have a calendar of their own.
ACADEMIE_SCHOOL_ZONES = {
    "besancon": SchoolZone.A,
    "bordeaux": SchoolZone.A,
    "clermont-ferrand": SchoolZone.A,
    "dijon": SchoolZone.A,
    "grenoble": SchoolZone.A,
    "limoges": SchoolZone.A,
    "lyon": SchoolZone.A,
    "poitiers": SchoolZone.A,
    "aix-marseille": SchoolZone.B,
    "amiens": SchoolZone.B,
    "lille": SchoolZone.B,
    "nancy-metz": SchoolZone.B,
    "nantes": SchoolZone.B,
    "nice": SchoolZone.B,
    "normandie": SchoolZone.B,
    "orleans-tours": SchoolZone.B,
    "reims": SchoolZone.B,
    "rennes": SchoolZone.B,
    "strasbourg": SchoolZone.B,
    "creteil": SchoolZone.C,
    "montpellier": SchoolZone.C,
    "paris": SchoolZone.C,
    "toulouse": SchoolZone.C,
    "versailles": SchoolZone.C,
    "corse": SchoolZone.CORSE,
    "guadeloupe": SchoolZone.GUADELOUPE,
    "martinique": SchoolZone.MARTINIQUE,
    "guyane": SchoolZone.GUYANE,
    "la-reunion": SchoolZone.REUNION,
    "mayotte": SchoolZone.MAYOTTE,
    "saint-pierre-et-miquelon": SchoolZone.SAINT_PIERRE,
    "nouvelle-caledonie": SchoolZone.NOUVELLE_CALEDONIE,
    "polynesie-francaise": SchoolZone.POLYNESIE,
    "wallis-et-futuna": SchoolZone.WALLIS,
}


@functools.lru_cache(maxsize=256)
def _public_holidays_of_year(subdivision: str | None, year: int) -> frozenset[datetime.date]:
    return frozenset(holidays_package.country_holidays("FR", subdiv=subdivision, years=year))


def public_holidays(*, time_zone: str, start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """The public holidays between `start` and `end` (inclusive) of the territory whose time zone is `time_zone`.

    An unknown time zone gets the national holidays."""
    if end < start:
        return frozenset()
    subdivision = PUBLIC_HOLIDAY_SUBDIVISIONS.get(time_zone)
    days: set[datetime.date] = set()
    for year in range(start.year, end.year + 1):
        days.update(day for day in _public_holidays_of_year(subdivision, year) if start <= day <= end)
    return frozenset(days)


def school_holidays(*, zone: str, start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """Every day between `start` and `end` (inclusive) inside a school-holiday period of `zone` (one query)."""
    if not zone or end < start:
        return frozenset()
    days: set[datetime.date] = set()
    periods = SchoolHolidayPeriod.objects.filter(zone=zone, starts_on__lte=end, ends_on__gte=start).values_list(
        "starts_on", "ends_on"
    )
    for period_start, period_end in periods:
        day = max(period_start, start)
        last = min(period_end, end)
        while day <= last:
            days.add(day)
            day += datetime.timedelta(days=1)
    return frozenset(days)


def closed_dates(*, time_zone: str, zone: str, start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """The local dates between `start` and `end` (both inclusive) without tutoring for someone who excludes
    holidays: the public holidays of the territory of `time_zone` plus the school holidays of `zone` (a
    `SchoolZone` value; blank = public holidays only). One database query at most."""
    return public_holidays(time_zone=time_zone, start=start, end=end) | school_holidays(
        zone=zone, start=start, end=end
    )


def default_zone(time_zone: str, school=None) -> str:
    """The school-holiday zone to propose: the zone of the school's académie when a school is known, otherwise
    the zone of an overseas time zone; "" for mainland France without a school (three zones and Corsica: the
    person chooses)."""
    academie = getattr(school, "academie", None)
    if academie and academie in ACADEMIE_SCHOOL_ZONES:
        return str(ACADEMIE_SCHOOL_ZONES[academie])
    zone = TIME_ZONE_SCHOOL_ZONES.get(time_zone)
    return str(zone) if zone else ""


def is_school_holiday(day: datetime.date, *, zone: str) -> bool:
    """Whether `day` falls in a school-holiday period of `zone`."""
    if not zone:
        return False
    return SchoolHolidayPeriod.objects.filter(zone=zone, starts_on__lte=day, ends_on__gte=day).exists()


# --- Import of the published calendar -------------------------------------------------------------------------

DATA_FILE = Path(__file__).resolve().parent / "data" / "school_holidays.csv"
CSV_COLUMNS = ("zone", "school_year", "name", "starts_on", "ends_on", "source")
SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{4})$")


class HolidayFileError(ValueError):
    """The school-holiday file cannot be imported; the message lists every bad line."""


@dataclasses.dataclass(frozen=True)
class HolidayRow:
    zone: str
    school_year: str
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    source: str

    def differs_from(self, period: SchoolHolidayPeriod) -> bool:
        return (self.school_year, self.name, self.starts_on, self.ends_on, self.source) != (
            period.school_year,
            period.name,
            period.starts_on,
            period.ends_on,
            period.source,
        )


@dataclasses.dataclass
class HolidayImportReport:
    rows_in_file: int = 0
    created: list[HolidayRow] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    # Periods that staff changed in the admin (they overlap a row of the file but differ from it): kept as they
    # are, or replaced by the file's row with `replace`.
    kept_edited: list[SchoolHolidayPeriod] = dataclasses.field(default_factory=list)
    replaced: list[SchoolHolidayPeriod] = dataclasses.field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced)


def _parse_date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value.strip())


def read_holiday_file(path: str | Path = DATA_FILE) -> list[HolidayRow]:
    """The rows of a school-holiday CSV file, checked; `HolidayFileError` lists every bad line."""
    field_limits = {field: SchoolHolidayPeriod._meta.get_field(field).max_length for field in ("name", "source")}
    zones = set(SchoolZone.values)
    rows: list[HolidayRow] = []
    errors: list[str] = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise HolidayFileError(f"colonnes attendues : {', '.join(CSV_COLUMNS)}")
        for line, record in enumerate(reader, start=2):
            values = {key: (record.get(key) or "").strip() for key in CSV_COLUMNS}
            problems = []
            if values["zone"] not in zones:
                problems.append(f"zone inconnue « {values['zone']} »")
            match = SCHOOL_YEAR_RE.match(values["school_year"])
            if not match or int(match.group(2)) != int(match.group(1)) + 1:
                problems.append(f"année scolaire invalide « {values['school_year']} »")
            for field, limit in field_limits.items():
                if not values[field]:
                    problems.append(f"{field} vide")
                elif len(values[field]) > limit:
                    problems.append(f"{field} trop long ({limit} caractères au plus)")
            try:
                starts_on, ends_on = _parse_date(values["starts_on"]), _parse_date(values["ends_on"])
            except ValueError:
                problems.append("date invalide (format AAAA-MM-JJ attendu)")
            else:
                if ends_on < starts_on:
                    problems.append("la fin précède le début")
            if problems:
                errors.append(f"ligne {line} : {'; '.join(problems)}")
                continue
            rows.append(
                HolidayRow(values["zone"], values["school_year"], values["name"], starts_on, ends_on, values["source"])
            )
    seen: dict[tuple[str, datetime.date], int] = {}
    for row in rows:
        key = (row.zone, row.starts_on)
        seen[key] = seen.get(key, 0) + 1
    errors.extend(f"période en double : zone {zone}, {day}" for (zone, day), count in seen.items() if count > 1)
    if errors:
        raise HolidayFileError("\n".join(errors))
    return rows


def import_school_holidays(
    path: str | Path = DATA_FILE, *, apply: bool = False, replace: bool = False
) -> HolidayImportReport:
    """Load the published school holidays into `SchoolHolidayPeriod`; idempotent.

    A row of the file that no period of its zone overlaps is created; one equal to an existing period is left
    alone. A period that overlaps a row but differs from it was edited by staff in the admin: it is kept, unless
    `replace` (then the file's row takes its place). Periods that overlap no row of the file (added by staff, for
    instance a year the file lacks) are always kept. Without `apply`, nothing is written (the report says what
    would change); everything is written in one transaction."""
    rows = read_holiday_file(path)
    report = HolidayImportReport(rows_in_file=len(rows))
    with transaction.atomic():
        existing: dict[str, list[SchoolHolidayPeriod]] = {}
        for period in SchoolHolidayPeriod.objects.select_for_update().order_by("zone", "starts_on"):
            existing.setdefault(period.zone, []).append(period)
        for row in rows:
            overlapping = [
                period
                for period in existing.get(row.zone, [])
                if period.starts_on <= row.ends_on and period.ends_on >= row.starts_on
            ]
            if any(not row.differs_from(period) for period in overlapping):
                report.unchanged += 1
                continue
            if overlapping and not replace:
                report.kept_edited.extend(p for p in overlapping if p not in report.kept_edited)
                continue
            report.replaced.extend(overlapping)
            report.created.append(row)
            if apply:
                for period in overlapping:
                    existing[row.zone].remove(period)
                    period.delete()
                period = SchoolHolidayPeriod.objects.create(**dataclasses.asdict(row))
                existing.setdefault(row.zone, []).append(period)
        if not apply:
            transaction.set_rollback(True)
    return report
