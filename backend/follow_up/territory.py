"""Reads of the national and département view (platform staff, prefecture referents) and of the open-data export.

Rules, decided here and nowhere else:
- **School year**: 1 September to 31 August, Paris time. An offer counts in a school year when one of its weeks
  begins in it (an offer open in June and in September counts in both years), and its seats are those of those
  weeks. An application counts in the year it was sent (`created_at`, Paris time).
- **Offers counted**: those that reached pupils — state published, unpublished or archived (the state machine only
  unpublishes or archives a published offer) — and not hidden by the moderation. Drafts and offers waiting for
  validation never count.
- **Where**: an offer's département is its commune's; a remote offer has no commune and makes its own "À distance"
  line, never a fake département, and is out of a département's scope. A hybrid offer has a commune and counts there.
- **Pupils**: a pupil's school is the school of her class of that school year (the class she joined last if she
  changed class during the year); a pupil without a class that year counts nationally on a "Sans classe" line, with
  no priority kind, and is out of any département's scope. Pupils placed are distinct pupils with a confirmed
  application sent that year.
- **Priority kinds** form a partition, so that the shares add up to 100 %: REP+, REP, QPV (outside REP and REP+),
  outside priority education, school unknown.

How: one aggregate per school year (`year_aggregates`: a GROUP BY over its offers, one over its applications, and
their schools — three queries whatever the number of départements, offers or pupils), kept in the cache (`figures`)
and refreshed by the periodic job. Every view — France, one or more départements, a sector, a track — is derived
from it in Python (`derive`), with no query: the aggregate keeps the offers and the applications at the finest grain
the page filters on (they add up), and the distinct pupils placed for each of the four filter shapes (they do not
add up: a pupil may confirm two internships). A look at a filter nobody asked for yet then costs a few milliseconds
instead of two SQL aggregates of a whole year.
"""

import datetime
import functools
import math
import sys
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Avg, Case, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.enums import Role
from backend.accounts.roles import has_role
from backend.follow_up import figures
from backend.follow_up.counting import PriorityKind, SchoolYear, current_school_year, priority_kind
from backend.geo.models import Commune
from backend.offers.enums import ApplicationStatus, OfferFormat, OfferStatus, Track
from backend.offers.models import Application, Offer, OfferWeek
from backend.organisations.enums import Sector
from backend.schools.models import Enrolment, School, SchoolClass

COUNTED_OFFER_STATUSES = (OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED, OfferStatus.ARCHIVED)
REMOTE = None  # the key of the "À distance" line, where a département code would be
# How many school years the view offers to look back on (the current one included).
YEARS_SHOWN = 5

STATUS_GROUPS = {
    "pending": (
        gettext_lazy("En attente d'une réponse"),
        (ApplicationStatus.SUBMITTED, ApplicationStatus.READ, ApplicationStatus.ACCEPTED),
    ),
    "confirmed": (gettext_lazy("Stage confirmé"), (ApplicationStatus.CONFIRMED,)),
    "declined": (gettext_lazy("Refusée"), (ApplicationStatus.DECLINED,)),
    "closed": (gettext_lazy("Retirée ou expirée"), (ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED)),
}
PRIORITY_KINDS = {
    **PriorityKind.LABELS,
    PriorityKind.UNKNOWN: gettext_lazy("Sans classe cette année-là"),
}


# Who sees the view -------------------------------------------------------------------------------------------


def referent_departements(user) -> list[str]:
    from backend.follow_up.models import TerritoryReferent

    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(TerritoryReferent.objects.filter(user=user).values_list("departement_code", flat=True))


def referent_roles(user) -> set[Role]:
    """The role provider registered by the app: a referent of at least one département."""
    from backend.follow_up.models import TerritoryReferent

    return {Role.REFERENT} if TerritoryReferent.objects.filter(user=user).exists() else set()


def can_view_territory(user) -> bool:
    return has_role(user, Role.PLATFORM_STAFF, Role.REFERENT)


def departement_scope(user) -> list[str] | None:
    """None for the national view (platform staff), else the referent's départements."""
    if has_role(user, Role.PLATFORM_STAFF):
        return None
    return referent_departements(user)


# School years ------------------------------------------------------------------------------------------------


def school_year_choices(now: datetime.datetime | None = None) -> list[SchoolYear]:
    current = current_school_year(now).start
    return [SchoolYear(start) for start in range(current, current - YEARS_SHOWN, -1)]


def week_school_year():
    """The school year a week begins in, in SQL (weeks are dates: no time zone to mind)."""
    return Case(
        When(week_start__month__gte=9, then=ExtractYear("week_start")),
        default=ExtractYear("week_start") - Value(1),
        output_field=IntegerField(),
    )


# Départements ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    latitude: float | None
    longitude: float | None

    @property
    def is_overseas(self) -> bool:
        return self.code.startswith("97")


def departements() -> dict[str, Departement]:
    """Every département of the reference communes with the mean position of its communes (for the map), by code."""
    rows = (
        Commune.objects.values("departement_code", "departement_name")
        .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"))
        .order_by("departement_code")
    )
    return {
        row["departement_code"]: Departement(
            row["departement_code"], row["departement_name"], row["latitude"], row["longitude"]
        )
        for row in rows
    }


DEPARTEMENTS = "departements"  # its kind in `figures`' cache


def departements_kept() -> dict[str, Departement]:
    """`departements()` kept like the figures (reference data: it changes when the communes are imported)."""
    return figures.read(DEPARTEMENTS, (), departements)[0]


def departement_sort_key(code: str) -> tuple:
    """01 … 19, 2A, 2B, 21 … 95, 971 …: Corsica sits where 20 was."""
    return (code.replace("2A", "20A").replace("2B", "20B").zfill(3),)


# Offers ------------------------------------------------------------------------------------------------------


def counted_weeks():
    """The weeks of the offers that count (the same rule as OFFERS_BY_GROUP_SQL's WHERE)."""
    return OfferWeek.objects.filter(offer__status__in=COUNTED_OFFER_STATUSES, offer__hidden_at__isnull=True)


def place_of(departement_code: str | None, offer_format: str) -> str | None:
    """The département code of a group of offers, or REMOTE for the "À distance" line."""
    if offer_format == OfferFormat.REMOTE or not departement_code:
        return REMOTE
    return departement_code


def open_data_rows() -> list[dict]:
    """Offers and seats by school year, place, sector, track and format: the anonymous open-data export. No pupil,
    no organisation, no identifier: only counts of published offers."""
    groups = (
        counted_weeks()
        .annotate(school_year=week_school_year())
        .values(
            "school_year",
            departement_code=F("offer__commune__departement_code"),
            departement_name=F("offer__commune__departement_name"),
            sector=F("offer__sector"),
            track=F("offer__track"),
            offer_format=F("offer__format"),
        )
        .annotate(offers=Count("offer", distinct=True), seats=Sum("seats"))
        .order_by()
    )
    merged: dict[tuple, dict] = {}
    for group in groups:
        code = place_of(group["departement_code"], group["offer_format"])
        key = (group["school_year"], code, group["sector"], group["track"], group["offer_format"])
        row = merged.setdefault(
            key,
            {
                "school_year": SchoolYear(group["school_year"]),
                "departement_code": code or "",
                "departement_name": group["departement_name"] if code else _("À distance"),
                "sector": group["sector"],
                "track": group["track"],
                "offer_format": group["offer_format"],
                "offers": 0,
                "seats": 0,
            },
        )
        row["offers"] += group["offers"]
        row["seats"] += group["seats"] or 0
    return [
        merged[key]
        for key in sorted(
            merged,
            key=lambda k: (-k[0], k[1] is None, departement_sort_key(k[1] or ""), k[2], k[3], k[4]),
        )
    ]


# The view's figures ------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of a table: a label, its key (a code, for links and the map) and its counts."""

    key: str | None
    label: str
    offers: int = 0
    seats: int = 0
    applications: int = 0
    placed: int = 0
    applications_share: float | None = None
    placed_share: float | None = None


@dataclass
class MapPoint:
    code: str
    name: str
    offers: int
    x: float
    y: float
    radius: float
    box_x: float = 0  # an overseas département's inset square
    box_y: float = 0
    labelled: bool = False


@dataclass
class LegendItem:
    value: int
    radius: float
    x: float
    y: float


@dataclass
class TerritoryFigures:
    year: SchoolYear
    scope: list[str] | None  # None: national
    offers: int = 0
    seats: int = 0
    applications: int = 0
    placed: int = 0
    offers_by_place: list[Line] = field(default_factory=list)
    offers_by_sector: list[Line] = field(default_factory=list)
    offers_by_format: list[Line] = field(default_factory=list)
    offers_by_track: list[Line] = field(default_factory=list)
    applications_by_status: list[Line] = field(default_factory=list)
    pupils_by_priority: list[Line] = field(default_factory=list)
    pupils_by_place: list[Line] = field(default_factory=list)
    map_points: list[MapPoint] = field(default_factory=list)
    map_insets: list[MapPoint] = field(default_factory=list)
    map_legend: list["LegendItem"] = field(default_factory=list)


def territory_figures(
    *,
    year: SchoolYear,
    scope: list[str] | None = None,
    sector: str = "",
    track: str = "",
    known: dict[str, Departement] | None = None,
) -> TerritoryFigures:
    """The view's figures for a school year, nationally (`scope=None`) or for some départements, computed now: the
    year's aggregate (three queries) and the view derived from it — four queries, or three when the caller already
    read `departements()`."""
    known = departements() if known is None else known
    return derive(year_aggregates(year), scope=scope, sector=sector, track=track, known=known)


def year_aggregates_kept(year: SchoolYear) -> tuple["YearAggregates", datetime.datetime]:
    """The school year's aggregate as `figures` keeps it (computed at most every FOLLOW_UP_FIGURES_SECONDS, by the
    periodic job for the current year, else by the first reader), and when it was computed."""
    return figures.read(YEAR_AGGREGATES, (year.start,), lambda: year_aggregates(year))


def refresh_kept(*years: SchoolYear) -> None:
    """Recompute these years' aggregates and the départements whatever the cache holds (the periodic job)."""
    for year in years:
        figures.refresh(YEAR_AGGREGATES, (year.start,), lambda year=year: year_aggregates(year))
    figures.refresh(DEPARTEMENTS, (), departements)


def territory_figures_kept(
    *, year: SchoolYear, scope: list[str] | None, sector: str = "", track: str = "", known: dict | None = None
) -> tuple[TerritoryFigures, datetime.datetime]:
    """`territory_figures` derived from the kept aggregate of the year, and when that aggregate was computed: no SQL
    aggregate at all when it is kept, whatever the départements, sector and track asked for."""
    aggregates, computed_at = year_aggregates_kept(year)
    known = departements_kept() if known is None else known
    return derive(aggregates, scope=scope, sector=sector, track=track, known=known), computed_at


# One aggregate per school year -------------------------------------------------------------------------------

YEAR_AGGREGATES = "territory-year"  # its kind in `figures`' cache
ANY = ""  # a filter left empty, in the aggregate's keys (sector and track values are never empty)
STATUS_GROUP_INDEX = {
    status: index for index, (_label, statuses) in enumerate(STATUS_GROUPS.values()) for status in statuses
}
PLACED = len(STATUS_GROUPS)  # in a count tuple of `YearAggregates.pupils`, after the applications by status group


@dataclass(frozen=True)
class YearAggregates:
    """What every view of one school year is derived from. Plain dicts, lists, tuples, str and int: it goes to the
    cache as it is.

    - `offers`: by place (a département's code, or REMOTE), that place's groups (sector, track, format, offers,
      seats). An offer has one place, sector, track and format: a view sums the groups its filters keep.
    - `pupils`: by filter (sector or ANY, track or ANY), by (place of the pupil's school — None when she has no class
      that year —, priority kind): the applications by status group, in STATUS_GROUPS' order, then the pupils placed.
      Applications add up across sectors and tracks, pupils placed do not (a pupil may confirm two internships): so
      the four filter shapes (none, a sector, a track, both) are each counted from the distinct pupils, and a view
      reads its exact count. A pupil has one school in a year, so her place and kind add up like the applications.
    """

    year: int
    offers: dict[str | None, list[tuple[str, str, str, int, int]]]
    pupils: dict[tuple[str, str], dict[tuple[str | None, str], tuple[int, ...]]]


def year_aggregates(year: SchoolYear) -> YearAggregates:
    """The school year's aggregate, from three queries whatever the rows: the offers, the applications, the schools
    with a class that year."""
    return YearAggregates(year=year.start, offers=_offer_groups(year), pupils=_pupil_groups(year))


# Offers of a school year and their seats by département × sector × track × format. The weeks are summed per offer
# first, so that the outer grouping needs no COUNT(DISTINCT): over 100,000 offers on PostgreSQL, 360 ms with the
# ORM's one-level GROUP BY, 170 ms this way (on a loaded two-core machine).
OFFERS_BY_GROUP_SQL = """
SELECT c.departement_code, o.sector, o.track, o.format, COUNT(*), SUM(w.seats)
FROM (
    SELECT offer_id, SUM(seats) AS seats FROM {week} WHERE week_start >= %s AND week_start < %s GROUP BY offer_id
) w
INNER JOIN {offer} o ON o.id = w.offer_id
LEFT OUTER JOIN {commune} c ON c.id = o.commune_id
WHERE o.status IN ({statuses}) AND o.hidden_at IS NULL
GROUP BY c.departement_code, o.sector, o.track, o.format
"""


def _offer_groups(year: SchoolYear) -> dict[str | None, list[tuple[str, str, str, int, int]]]:
    sql = OFFERS_BY_GROUP_SQL.format(
        week=OfferWeek._meta.db_table,
        offer=Offer._meta.db_table,
        commune=Commune._meta.db_table,
        statuses=", ".join(["%s"] * len(COUNTED_OFFER_STATUSES)),
    )
    params = [
        connection.ops.adapt_datefield_value(year.first_day),
        connection.ops.adapt_datefield_value(year.next_first_day),
        *(status.value for status in COUNTED_OFFER_STATUSES),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    groups: dict[str | None, list[tuple[str, str, str, int, int]]] = {}
    for code, sector, track, offer_format, offers, seats in rows:
        place = place_of(code, offer_format)
        # Interned: the cache's pickle then writes each value once, not once per group.
        group = (sys.intern(sector), sys.intern(track), sys.intern(offer_format), offers, seats or 0)
        groups.setdefault(place, []).append(group)
    return groups


# Applications by the school of the pupil's class of the year (the class she joined last that year), status and the
# offer's sector and track; a confirmed application keeps its pupil apart, to count the pupils placed. Raw SQL
# because the ORM cannot join on "each pupil's latest enrolment of the year": a correlated subquery per application
# took 870 ms over 100,000 applications on PostgreSQL, this window function about 170 ms (and it runs on SQLite as
# well: window functions since 3.25).
APPLICATIONS_SQL = """
WITH ranked AS (
    SELECT e.pupil_id, c.school_id,
           ROW_NUMBER() OVER (PARTITION BY e.pupil_id ORDER BY e.joined_at DESC, e.id DESC) AS position
    FROM {enrolment} e INNER JOIN {school_class} c ON c.id = e.school_class_id
    WHERE c.school_year = %s
)
SELECT school_id, status, sector, track, placed_pupil_id, COUNT(*)
FROM (
    SELECT ranked.school_id, a.status, o.sector, o.track,
           CASE WHEN a.status = %s THEN a.pupil_id END AS placed_pupil_id
    FROM {application} a
    INNER JOIN {offer} o ON o.id = a.offer_id
    LEFT OUTER JOIN ranked ON ranked.pupil_id = a.pupil_id AND ranked.position = 1
    WHERE a.created_at >= %s AND a.created_at < %s
) sent
GROUP BY school_id, status, sector, track, placed_pupil_id
"""


def _pupil_groups(year: SchoolYear) -> dict[tuple[str, str], dict[tuple[str | None, str], tuple[int, ...]]]:
    sql = APPLICATIONS_SQL.format(
        enrolment=Enrolment._meta.db_table,
        school_class=SchoolClass._meta.db_table,
        application=Application._meta.db_table,
        offer=Offer._meta.db_table,
    )
    params = [
        year.start,
        ApplicationStatus.CONFIRMED.value,
        connection.ops.adapt_datetimefield_value(year.starts_at),
        connection.ops.adapt_datetimefield_value(year.ends_at),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The schools with a class that year (those of the pupils counted), each with one (place, kind) tuple shared by
    # every filter: the cache's pickle writes it once.
    where: dict[int | None, tuple[str | None, str]] = {None: (None, PriorityKind.UNKNOWN)}
    for row in (
        School.objects.filter(pk__in=SchoolClass.objects.filter(school_year=year.start).values("school_id"))
        .values_list("pk", "commune__departement_code", "priority", "qpv")
        .order_by()
    ):
        where[row[0]] = (row[1], priority_kind(row[2], row[3]))
    # By (sector, track, place and kind): the applications by status group; by pupil placed: her place and kind
    # and the (sector, track) of her confirmed internships.
    finest: dict[tuple, list[int]] = {}
    placed: dict[int, tuple[tuple, set[tuple[str, str]]]] = {}
    for school_id, status, sector, track, placed_pupil_id, count in rows:
        sector, track = sys.intern(sector), sys.intern(track)
        key = where.get(school_id, where[None])  # a school deleted meanwhile: unknown, like no class
        counts = finest.setdefault((sector, track, key), [0] * (PLACED + 1))
        counts[STATUS_GROUP_INDEX[status]] += count
        if placed_pupil_id is not None:
            placed.setdefault(placed_pupil_id, (key, set()))[1].add((sector, track))
    shapes: dict[tuple[str, str], dict[tuple, list[int]]] = {}
    for (sector, track, key), counts in finest.items():
        for shape in _shapes(sector, track):
            total = shapes.setdefault(shape, {}).setdefault(key, [0] * (PLACED + 1))
            for index in range(PLACED):
                total[index] += counts[index]
    for key, internships in placed.values():
        for shape in {shape for sector, track in internships for shape in _shapes(sector, track)}:
            shapes[shape][key][PLACED] += 1  # her confirmed application made the line
    return {shape: {key: tuple(counts) for key, counts in lines.items()} for shape, lines in shapes.items()}


def _shapes(sector: str, track: str) -> tuple[tuple[str, str], ...]:
    """The four filters a (sector, track) counts under: both, the sector alone, the track alone, none."""
    return ((sector, track), (sector, ANY), (ANY, track), (ANY, ANY))


# Every view derived from the year's aggregate ------------------------------------------------------------------


def derive(
    aggregates: YearAggregates,
    *,
    scope: list[str] | None = None,
    sector: str = "",
    track: str = "",
    known: dict[str, Departement],
) -> TerritoryFigures:
    """One view's figures from the aggregate of its school year: Python only, no query."""
    figures = TerritoryFigures(year=SchoolYear(aggregates.year), scope=scope)
    _offer_figures(figures, aggregates, known, sector=sector, track=track)
    _pupil_figures(figures, aggregates, known, sector=sector, track=track)
    _map(figures, known)
    return figures


def _offer_figures(
    figures: TerritoryFigures, aggregates: YearAggregates, known: dict[str, Departement], *, sector: str, track: str
) -> None:
    by_place: dict[str | None, Line] = {}
    by_sector = {value: Line(value, str(label)) for value, label in Sector.choices}
    by_format = {value: Line(value, str(label)) for value, label in OfferFormat.choices}
    by_track = {value: Line(value, str(label)) for value, label in Track.choices}
    places = (
        aggregates.offers
        if figures.scope is None
        else {code: aggregates.offers.get(code, ()) for code in figures.scope}
    )
    for code, groups in places.items():
        for group_sector, group_track, offer_format, offers, seats in groups:
            if (sector and group_sector != sector) or (track and group_track != track):
                continue
            if code not in by_place:
                by_place[code] = Line(code, _("À distance") if code is REMOTE else _place_label(code, known))
            for line in (by_place[code], by_sector[group_sector], by_format[offer_format], by_track[group_track]):
                line.offers += offers
                line.seats += seats
            figures.offers += offers
            figures.seats += seats
    if figures.scope is not None:  # every département of the scope has its line, even without offers
        for code in figures.scope:
            if code not in by_place:
                by_place[code] = Line(code, _place_label(code, known))
    figures.offers_by_place = sorted(
        by_place.values(), key=lambda line: (line.key is REMOTE, departement_sort_key(line.key or ""))
    )
    figures.offers_by_sector = [line for line in by_sector.values() if line.offers or not sector]
    figures.offers_by_format = list(by_format.values())
    figures.offers_by_track = list(by_track.values())


def _pupil_figures(
    figures: TerritoryFigures, aggregates: YearAggregates, known: dict[str, Departement], *, sector: str, track: str
) -> None:
    by_status = {key: Line(key, str(label)) for key, (label, _statuses) in STATUS_GROUPS.items()}
    by_priority = {key: Line(key, str(label)) for key, label in PRIORITY_KINDS.items()}
    by_place: dict[str | None, Line] = {}
    wanted = None if figures.scope is None else set(figures.scope)
    for (code, kind), counts in aggregates.pupils.get((sector or ANY, track or ANY), {}).items():
        if wanted is not None and code not in wanted:
            continue
        if code not in by_place:
            by_place[code] = Line(code, _("Sans classe cette année-là") if code is None else _place_label(code, known))
        applications, placed = sum(counts[:PLACED]), counts[PLACED]
        for line in (by_place[code], by_priority[kind]):
            line.applications += applications
            line.placed += placed
        for line, count in zip(by_status.values(), counts[:PLACED], strict=True):
            line.applications += count
        figures.applications += applications
        figures.placed += placed
    if figures.scope is not None:
        for code in figures.scope:
            by_place.setdefault(code, Line(code, _place_label(code, known)))
    for line in by_priority.values():
        line.applications_share = _share(line.applications, figures.applications)
        line.placed_share = _share(line.placed, figures.placed)
    figures.applications_by_status = list(by_status.values())
    figures.pupils_by_priority = list(by_priority.values())
    figures.pupils_by_place = sorted(
        by_place.values(), key=lambda line: (line.key is None, departement_sort_key(line.key or ""))
    )


def _place_label(code: str, known: dict[str, Departement]) -> str:
    return f"{code} — {known[code].name}" if code in known else code


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# The map -----------------------------------------------------------------------------------------------------

# Mainland France (Corsica included) in an equirectangular projection narrowed by the cosine of 46.5° N: close
# enough at this scale, and it needs no shapes data.
MAP_WIDTH, MAP_HEIGHT = 600, 560
MAINLAND = {"west": -5.3, "east": 9.8, "south": 41.2, "north": 51.2}
MAX_RADIUS = 24.0
INSET_SIZE = 90  # overseas départements, each in a small square along the bottom


def _project(latitude: float, longitude: float) -> tuple[float, float]:
    squeeze = math.cos(math.radians(46.5))
    width = (MAINLAND["east"] - MAINLAND["west"]) * squeeze
    height = MAINLAND["north"] - MAINLAND["south"]
    scale = min((MAP_WIDTH - 40) / width, (MAP_HEIGHT - INSET_SIZE - 60) / height)
    x = 20 + (longitude - MAINLAND["west"]) * squeeze * scale
    y = 20 + (MAINLAND["north"] - latitude) * scale
    return round(x, 1), round(y, 1)


# A rough outline of mainland France and of Corsica, from a few points of its coasts and borders (latitude,
# longitude): only a landmark for the eye, the circles carry the data.
OUTLINES = (
    (
        (51.05, 2.37), (50.7, 3.2), (50.14, 4.83), (49.52, 5.76), (48.97, 8.23), (47.58, 7.59), (46.2, 6.15),
        (45.83, 6.86), (45.1, 6.7), (44.1, 7.7), (43.78, 7.5), (43.12, 5.93), (43.3, 5.3), (43.45, 4.6),
        (43.3, 3.47), (42.44, 3.17), (42.5, 1.5), (42.8, 0.0), (43.35, -1.78), (44.65, -1.2), (45.6, -1.2),
        (46.5, -1.8), (47.27, -2.2), (47.7, -3.4), (48.04, -4.73), (48.4, -4.8), (48.7, -4.0), (48.8, -3.0),
        (48.65, -2.0), (48.65, -1.6), (49.72, -1.94), (49.65, -1.25), (49.35, -0.5), (49.45, 0.1), (49.92, 1.08),
        (50.2, 1.6), (50.95, 1.85),
    ),
    ((43.0, 9.4), (42.7, 9.45), (41.39, 9.16), (41.92, 8.74), (42.57, 8.76)),
)  # fmt: skip
LABELLED = 10  # the largest circles are labelled with their département's code


@functools.cache
def outline_paths() -> list[str]:
    """The mainland's outline as SVG paths: drawn from constants, computed once per process."""
    paths = []
    for outline in OUTLINES:
        points = [_project(latitude, longitude) for latitude, longitude in outline]
        paths.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
    return paths


def _map(figures: TerritoryFigures, known: dict[str, Departement]) -> None:
    """One circle per département with offers, its area proportional to the count; overseas in insets."""
    lines = [line for line in figures.offers_by_place if line.key is not REMOTE and line.offers and line.key in known]
    largest = max((line.offers for line in lines), default=0)
    if not largest:
        return

    def radius(count: int) -> float:
        return round(max(MAX_RADIUS * math.sqrt(count / largest), 2.5), 1)

    inset = 0
    for line in sorted(lines, key=lambda line: -line.offers):  # big circles first, small ones drawn on top
        departement = known[line.key]
        if departement.latitude is None or departement.longitude is None:
            continue
        if departement.is_overseas:
            box_x, box_y = 20 + inset * (INSET_SIZE + 10), MAP_HEIGHT - INSET_SIZE - 10
            figures.map_insets.append(
                MapPoint(
                    line.key,
                    departement.name,
                    line.offers,
                    box_x + INSET_SIZE / 2,
                    box_y + INSET_SIZE / 2 + 8,
                    min(radius(line.offers), INSET_SIZE / 2 - 14),
                    box_x,
                    box_y,
                )
            )
            inset += 1
        else:
            x, y = _project(departement.latitude, departement.longitude)
            point = MapPoint(line.key, departement.name, line.offers, x, y, radius(line.offers))
            point.labelled = len(figures.map_points) < LABELLED
            figures.map_points.append(point)
    legend_values = sorted({largest, max(round(largest / 4), 1)}, reverse=True)
    figures.map_legend = [
        LegendItem(value, radius(value), MAP_WIDTH - 110, 60 + index * 70) for index, value in enumerate(legend_values)
    ]


# The CSV export of the view ----------------------------------------------------------------------------------


def territory_csv_rows(figures: TerritoryFigures) -> list[list]:
    """The page's tables one after the other, each under its own title line and header."""
    scope = _("France entière") if figures.scope is None else ", ".join(figures.scope)
    rows: list[list] = [[_("Vue nationale et départementale"), figures.year.label, scope], []]
    tables = [
        (_("Offres par département"), _("Département"), figures.offers_by_place, ("offers", "seats")),
        (_("Offres par secteur"), _("Secteur"), figures.offers_by_sector, ("offers", "seats")),
        (_("Offres par format"), _("Format"), figures.offers_by_format, ("offers", "seats")),
        (_("Offres par type de stage"), _("Type de stage"), figures.offers_by_track, ("offers", "seats")),
        (_("Candidatures par état"), _("État"), figures.applications_by_status, ("applications",)),
        (
            _("Élèves par éducation prioritaire"),
            _("Établissement de l'élève"),
            figures.pupils_by_priority,
            ("applications", "applications_share", "placed", "placed_share"),
        ),
        (
            _("Élèves par département de leur établissement"),
            _("Département"),
            figures.pupils_by_place,
            ("applications", "placed"),
        ),
    ]
    headers = {
        "offers": _("Offres"),
        "seats": _("Places"),
        "applications": _("Candidatures"),
        "applications_share": _("Part des candidatures (%)"),
        "placed": _("Élèves ayant un stage confirmé"),
        "placed_share": _("Part des élèves ayant un stage (%)"),
    }
    for title, first, lines, columns in tables:
        rows.append([title])
        rows.append([first, *(headers[column] for column in columns)])
        for line in lines:
            rows.append([line.label, *(_csv_number(getattr(line, column)) for column in columns)])
        rows.append([])
    return rows


def _csv_number(value) -> str:
    if value is None:
        return ""
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)
