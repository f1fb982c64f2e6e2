"""The catalogue's search: one selector behind the public pages and the public API.

`offer_search(user=..., params=SearchParams(...))` answers a page of offers (each with its distance and its
weeks with seats left), the total count, the place and radius used and, when nothing matched near a place, the
smallest wider radius that finds something with its count.

What the catalogue shows: published offers that moderation did not hide, with a week still to come that has
seats left, whose reservation lets the viewer see them (`permissions.reservation_q`).

Keywords, on PostgreSQL: every meaningful word must match, by its stem in the offer's search document (French
full-text search, configuration `passerelle_fr`: unaccented, stemmed) or, for a typo, by trigram word
similarity to its unaccented title and job; ranked by both. Migration 0003 creates the configuration, the two
generated columns these read (`search_vector`, `search_title`) and their GIN indexes. On SQLite: the normalised
words of the query, crudely stemmed, each found at the start of a word of the search document.

Places: a bounding box on the indexed latitude/longitude, then the haversine distance. Remote offers have no
coordinates and match any place.

Counting: a page that holds the whole result needs no count (one row more than the page is read to know it);
otherwise the count stops past COUNT_LIMIT, so that a broad search never reads the whole catalogue.

Statements: a search is one statement for its page, whose rows carry each offer's open weeks (a JSON array built by
a correlated subquery, rather than a second statement to prefetch them), plus a count when the page does not hold
the whole result.
"""

import datetime
import functools
import json
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.geo.models import Commune
from backend.geo.search import normalise_search
from backend.offers.enums import OfferFormat, OfferStatus
from backend.offers.models import Offer, OfferWeek
from backend.offers.permissions import reservation_q, viewer_schools
from backend.offers.rules import iso_week

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 10
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 100
RADIUS_OPTIONS = (1, 2, 5, 10, 20, 30, 50, 100)
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_KEYWORD_LENGTH = 200
# Shorter queries match too many titles by their trigrams to be worth a typo-tolerant match.
MIN_TYPO_LENGTH = 4
MAX_KEYWORDS = 8
# Counts stop there: "more than 1,000 offers", 50 pages of 20.
COUNT_LIMIT = 1000


class SearchSort:
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    DATE = "date"

    choices = [
        (RELEVANCE, _("Pertinence")),
        (DISTANCE, _("Distance")),
        (DATE, _("Date de publication")),
    ]
    values = (RELEVANCE, DISTANCE, DATE)


@dataclass(frozen=True)
class SearchParams:
    """The criteria of a search, already validated (by `search_forms`)."""

    keyword: str = ""
    commune: Commune | None = None
    # Whether the caller said where to search: when not, a pupil searches around her school. An empty place
    # given on purpose means "anywhere".
    place_given: bool = False
    radius_km: int = DEFAULT_RADIUS_KM
    sector: str = ""
    track: str = ""
    format: str = ""
    # An offer matches when one of its weeks with seats left overlaps [date_from, date_to]; an ISO week is
    # the range from its Monday to its Sunday.
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    reserved_for_me: bool = False
    sort: str = ""  # one of SearchSort.values; empty: relevance with keywords, else distance near a place, else date
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class SearchResult:
    """A page of offers; each has `distance_km` (None for remote offers or without a place), `number` (its
    position in the whole result, as on the map) and `open_weeks` (weeks to come with seats left, `OpenWeek`s in
    date order)."""

    offers: list[Offer]
    count: int  # at most COUNT_LIMIT
    page: int
    page_size: int
    place: Commune | None
    place_is_default: bool
    radius_km: int
    sort: str
    keyword: str = ""
    count_is_exact: bool = True  # False: more than `count` offers match
    # Nothing near the place: the smallest wider radius that finds something, and how many offers it finds.
    wider_radius_km: int | None = None
    wider_count: int = 0

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.offers) - 1 if self.offers else 0


# --- Public helpers -------------------------------------------------------------------------------------------


def default_place(user) -> Commune | None:
    """Where a signed-in pupil searches when she does not say: her school's commune."""
    if not getattr(user, "is_authenticated", False) or not user.is_pupil:
        return None
    schools = viewer_schools(user)  # the current enrolment's school, with its commune, cached for the request
    commune = schools[0].commune if schools else None
    return commune if commune is not None and commune.latitude is not None else None


def can_filter_reserved(user) -> bool:
    """ "Reserved for me" is offered to pupils, teachers and heads who belong to a school."""
    return bool(viewer_schools(user))


def bookable_weeks(today: datetime.date | None = None) -> QuerySet[OfferWeek]:
    """Weeks still to come (they begin after today) with at least one seat left."""
    today = today or timezone.localdate()
    return OfferWeek.objects.filter(week_start__gt=today, seats__gt=F("seats_taken"))


@dataclass(frozen=True)
class OpenWeek:
    """A week of a found offer still to come with seats left, as the search reads it with the offer."""

    week_start: datetime.date
    seats_left: int

    @property
    def iso_week(self) -> str:
        return iso_week(self.week_start)


def _bookable_week_sql(today: datetime.date) -> tuple[str, list]:
    """`bookable_weeks` of the offer of the current row, as the condition of a subquery on the weeks aliased `w`: the
    two SQL statements below share it (a test checks that it agrees with `bookable_weeks`)."""
    table = Offer._meta.db_table
    condition = f'w.offer_id = "{table}"."id" AND w.week_start > %s AND w.seats > w.seats_taken'
    return condition, [connection.ops.adapt_datefield_value(today)]


def open_weeks_expression(today: datetime.date) -> RawSQL:
    """The offer's `bookable_weeks` as a JSON array of [Monday, seats left], in the page's own statement:
    prefetching them cost a second statement per search, which took a fifth of a search's time."""
    pair = "w.week_start, w.seats - w.seats_taken"
    if connection.vendor == "postgresql":
        aggregate = f"json_agg(json_build_array({pair}))::text"
    else:
        aggregate = f"json_group_array(json_array({pair}))"
    condition, params = _bookable_week_sql(today)
    # Only the models' own table names and fixed SQL are formatted in; every value is a bound parameter.
    sql = f'(SELECT {aggregate} FROM "{OfferWeek._meta.db_table}" w WHERE {condition})'  # noqa: S608
    return RawSQL(sql, params, output_field=TextField())  # noqa: S611


def has_bookable_week(today: datetime.date, date_from=None, date_to=None) -> RawSQL:
    """The offer has a `bookable_weeks` week overlapping [date_from, date_to]: an EXISTS written as SQL, because
    compiling the ORM's subquery at each search cost more than PostgreSQL took to run it."""
    condition, params = _bookable_week_sql(today)
    if date_from:
        condition += " AND w.week_start >= %s"
        params.append(connection.ops.adapt_datefield_value(date_from - datetime.timedelta(days=6)))
    if date_to:
        condition += " AND w.week_start <= %s"
        params.append(connection.ops.adapt_datefield_value(date_to))
    sql = f'EXISTS (SELECT 1 FROM "{OfferWeek._meta.db_table}" w WHERE {condition})'  # noqa: S608
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def read_open_weeks(text: str | None) -> list[OpenWeek]:
    """The weeks of `open_weeks_expression`, in date order (json_agg keeps no order unless told)."""
    pairs = json.loads(text) if text else []
    return sorted(
        (OpenWeek(datetime.date.fromisoformat(monday), seats) for monday, seats in pairs),
        key=lambda week: week.week_start,
    )


def distance_expression(latitude: float, longitude: float):
    """Haversine distance in km from a point to the offer's coordinates (NULL for remote offers).

    Written as SQL (these functions exist on PostgreSQL, and Django registers them on SQLite): a search uses it up to
    three times (filter, annotation, order), and compiling it from a tree of expression objects took more time
    than PostgreSQL took to run the whole search.
    """
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    table = Offer._meta.db_table
    # No LEAST(a, 1) against rounding at antipodes: PostgreSQL's LEAST ignores NULL, which would place remote
    # offers half the world away. The searches only measure within a box of at most 100 km.
    sql = (
        f'(%s * ASIN(SQRT(POWER(SIN((RADIANS("{table}"."latitude") - %s) / 2.0), 2) + %s * '
        f'COS(RADIANS("{table}"."latitude")) * POWER(SIN((RADIANS("{table}"."longitude") - %s) / 2.0), 2))))'
    )
    # Only the model's own table name is formatted into the SQL; every value is a bound parameter.
    return RawSQL(sql, (2 * EARTH_RADIUS_KM, lat1, math.cos(lat1), lon1), output_field=FloatField())  # noqa: S611


def within_radius_q(latitude: float, longitude: float, radius_km: float) -> Q:
    """Located offers within the radius: a box on the indexed coordinates first, then the exact distance."""
    margin = 1.001
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM) * margin
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    dlon = min(math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)) * margin, 180.0)
    box = Q(
        latitude__gte=latitude - dlat,
        latitude__lte=latitude + dlat,
        longitude__gte=longitude - dlon,
        longitude__lte=longitude + dlon,
    )
    return box & Q(LessThanOrEqual(distance_expression(latitude, longitude), Value(float(radius_km))))


# Remote offers have no coordinates (an index lookup on latitude IS NULL) and match any place.
REMOTE_Q = Q(latitude__isnull=True, format=OfferFormat.REMOTE)


# --- Keywords ---------------------------------------------------------------------------------------------------


def _pg_keyword(keyword: str) -> tuple[RawSQL, RawSQL]:
    """The condition and the rank of a keyword search on PostgreSQL.

    Every meaningful word must match: by its stem in the search document (full-text search), or, for a typo,
    by trigram word similarity to the title and job (word_similarity(word, text) above pg_trgm's threshold,
    0.6: "electricein" finds "Électricienne"). Each half of a word's condition is answered by a GIN index. The
    columns are migration 0003's, generated by PostgreSQL, which the model does not declare.

    Written as SQL with every word a bound parameter: built from expression objects, compiling them took a tenth
    of a search's time.
    """
    table = Offer._meta.db_table
    vector, typo_text = f'"{table}"."search_vector"', f'"{table}"."search_title"'
    tsquery = "plainto_tsquery('passerelle_fr'::regconfig, %s)"
    words = meaningful_words(keyword)
    conditions, condition_params, similarities, similarity_params = [], [], [], []
    for word in words:
        if len(word) >= MIN_TYPO_LENGTH:
            # "%%>" is pg_trgm's "%>" once the parameters are bound.
            conditions.append(f"({vector} @@ {tsquery} OR {typo_text} %%> %s)")
            condition_params += [word, word]
            similarities.append(f"word_similarity(%s, {typo_text})")
            similarity_params.append(word)
        else:
            conditions.append(f"{vector} @@ {tsquery}")
            condition_params.append(word)
    rank_sql, rank_params = f"ts_rank({vector}, {tsquery})", [" ".join(words)]
    if similarities:
        rank_sql += f" + ({' + '.join(similarities)}) / {float(len(words))}"
        rank_params += similarity_params
    condition = RawSQL(f"({' AND '.join(conditions)})", condition_params, output_field=BooleanField())  # noqa: S611
    return condition, RawSQL(f"({rank_sql})", rank_params, output_field=FloatField())  # noqa: S611


# Words that say nothing of an offer; the French configuration drops them on PostgreSQL.
_STOP_WORDS = """a au aux avec ce ces d dans de des du en et je l la le les leur lui ma mais me mes moi mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y"""
FRENCH_STOP_WORDS = frozenset(_STOP_WORDS.split())
# Crude French suffix stripping, longest first: "electriciennes" and "electricien" both give "electricien",
# "boulangere" and "boulanger" give "boulang", "animatrice" and "animateur" give "animat".
_SUFFIXES = [
    ("iennes", "ien"),
    ("ienne", "ien"),
    ("iens", "ien"),
    ("trices", "t"),
    ("trice", "t"),
    ("teuses", "t"),
    ("teuse", "t"),
    ("teurs", "t"),
    ("teur", "t"),
    ("euses", "eu"),
    ("euse", "eu"),
    ("eurs", "eu"),
    ("eur", "eu"),
    ("ieres", "i"),
    ("iere", "i"),
    ("iers", "i"),
    ("ier", "i"),
    ("eres", ""),
    ("ere", ""),
    ("ers", ""),
    ("er", ""),
    ("ives", "i"),
    ("ive", "i"),
    ("ifs", "i"),
    ("if", "i"),
    ("elles", "el"),
    ("elle", "el"),
    ("els", "el"),
    ("ees", ""),
    ("ee", ""),
    ("es", ""),
    ("e", ""),
    ("s", ""),
    ("x", ""),
]
MIN_STEM = 3


def crude_stem(word: str) -> str:
    """A normalised word without its French inflection, for a prefix match (SQLite has no stemmer)."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= MIN_STEM:
            return word[: len(word) - len(suffix)] + replacement
    return word


def meaningful_words(keyword: str) -> list[str]:
    """The normalised words of a query without the stop words (unless it has nothing else), at most 8."""
    words = normalise_search(keyword).split()
    meaningful = [word for word in words if word not in FRENCH_STOP_WORDS] or words
    return list(dict.fromkeys(meaningful))[:MAX_KEYWORDS]


def keyword_stems(keyword: str) -> list[str]:
    return list(dict.fromkeys(crude_stem(word) for word in meaningful_words(keyword)))


def _sqlite_keyword(keyword: str):
    """Every stem begins a word of the search document; an earlier match (the title comes first) ranks higher."""
    condition = Q()
    rank = Value(0.0)
    for stem in keyword_stems(keyword):
        condition &= Q(search_document__startswith=stem) | Q(search_document__contains=" " + stem)
        rank = rank - StrIndex(F("search_document"), Value(stem))
    return condition, rank


# --- The search -----------------------------------------------------------------------------------------------


def _catalogue(user, params: SearchParams, today: datetime.date) -> QuerySet[Offer]:
    """Offers the viewer may find, with the criteria that do not depend on the place."""
    offers = Offer.objects.filter(status=OfferStatus.PUBLISHED, hidden_at__isnull=True)
    offers = offers.filter(reservation_q(user, only_reserved=params.reserved_for_me))
    for name in ("sector", "track", "format"):
        value = getattr(params, name)
        if value:
            offers = offers.filter(**{name: value})
    return offers.filter(has_bookable_week(today, params.date_from, params.date_to))


def _choose_sort(params: SearchParams, *, has_keyword: bool, has_place: bool) -> str:
    wanted = params.sort
    if wanted == SearchSort.RELEVANCE and has_keyword:
        return wanted
    if wanted == SearchSort.DISTANCE and has_place:
        return wanted
    if wanted == SearchSort.DATE:
        return wanted
    if has_keyword:
        return SearchSort.RELEVANCE
    return SearchSort.DISTANCE if has_place else SearchSort.DATE


def offer_search(*, user, params: SearchParams, only: tuple[str, ...] = ()) -> SearchResult:
    """Search the catalogue as this person sees it (anonymous people too). `only`: the fields of the offers (and of
    their organisation and commune, as "organisation__name") the caller reads, when not all of them."""
    place, place_is_default = params.commune, False
    if place is None and not params.place_given:
        place = default_place(user)
        place_is_default = place is not None
    radius = min(max(int(params.radius_km or DEFAULT_RADIUS_KM), MIN_RADIUS_KM), MAX_RADIUS_KM)
    page_size = min(max(int(params.page_size or PAGE_SIZE), 1), MAX_PAGE_SIZE)
    # A teacher of several schools may see an offer reserved to two of them through two rows of the join.
    distinct = len(viewer_schools(user)) > 1

    # One day for the whole search: the weeks it filters on are the weeks it shows, even across midnight.
    today = timezone.localdate()
    base = _catalogue(user, params, today)
    offers = base
    keyword = (params.keyword or "").strip()[:MAX_KEYWORD_LENGTH]
    normalised = normalise_search(keyword)
    rank = None
    if normalised:
        if connection.vendor == "postgresql":
            condition, rank = _pg_keyword(keyword)
        else:
            condition, rank = _sqlite_keyword(keyword)
        offers = offers.filter(condition)
        base = offers
    located = place is not None and place.latitude is not None and place.longitude is not None
    distance = None
    if place is not None:
        if located:
            distance = distance_expression(place.latitude, place.longitude)
            offers = offers.filter(REMOTE_Q | within_radius_q(place.latitude, place.longitude, radius))
        else:  # a place nobody could locate: only what is done from anywhere
            offers = offers.filter(REMOTE_Q)
    sort = _choose_sort(params, has_keyword=rank is not None, has_place=distance is not None)
    # Past the counted offers, no page: the search must be narrowed.
    page = min(max(int(params.page or 1), 1), _num_pages(COUNT_LIMIT, page_size))
    if distinct:
        offers = offers.distinct()
    fetch = functools.partial(
        _page, offers, sort=sort, rank=rank, distance=distance, page_size=page_size, only=only, today=today
    )
    found, more = fetch(page=page)
    if found and not more:
        count = (page - 1) * page_size + len(found)  # the last page: no need to count
    elif not found and page == 1:
        count = 0
    else:
        # Counting every match of a broad search (the first visit lists them all) would read the whole
        # catalogue: the count stops past COUNT_LIMIT ("more than 1,000 offers"), which a LIMIT without
        # ORDER BY lets the database do early.
        count = offers.order_by()[: COUNT_LIMIT + 1].count()
        if not found and count:  # past the last page: the last page
            page = _num_pages(min(count, COUNT_LIMIT), page_size)
            found, _more = fetch(page=page)
    result = SearchResult(
        offers=found,
        count=min(count, COUNT_LIMIT),
        count_is_exact=count <= COUNT_LIMIT,
        page=page if count else 1,
        page_size=page_size,
        place=place,
        place_is_default=place_is_default,
        radius_km=radius,
        sort=sort,
        keyword=keyword,
    )
    if not count and located and radius < MAX_RADIUS_KM:
        result.wider_radius_km, result.wider_count = _wider_radius(base, place, radius, distinct=distinct)
    return result


def _num_pages(count: int, page_size: int) -> int:
    return max(1, math.ceil(count / page_size))


def _page(offers, *, sort, rank, distance, page, page_size, only, today) -> tuple[list[Offer], bool]:
    """The offers of the page, and whether more follow (one more row is read to know it)."""
    if distance is not None:
        offers = offers.annotate(distance_km=distance)
    # As the index on published_at (DESC, nulls first): published offers always have a date.
    newest = [F("published_at").desc(), "-pk"]
    if sort == SearchSort.RELEVANCE:
        offers = offers.annotate(rank=rank)
        order = [F("rank").desc(), *([F("distance_km").asc(nulls_last=True)] if distance is not None else []), *newest]
    elif sort == SearchSort.DISTANCE:
        order = [F("distance_km").asc(nulls_last=True), *newest]
    else:
        order = newest
    start = (page - 1) * page_size
    offers = offers.select_related("organisation", "commune")
    offers = offers.only(*only) if only else offers.defer("search_document")
    found = list(
        offers.annotate(open_weeks_json=open_weeks_expression(today)).order_by(*order)[start : start + page_size + 1]
    )
    more = len(found) > page_size
    found = found[:page_size]
    for number, offer in enumerate(found, start=start + 1):
        offer.number = number
        offer.open_weeks = read_open_weeks(offer.open_weeks_json)
        if distance is None:
            offer.distance_km = None
    return found, more


def _wider_radius(base, place: Commune, radius: int, *, distinct: bool) -> tuple[int | None, int]:
    """The smallest radius among the options above this one that finds offers, and their count: one query."""
    wider = [option for option in RADIUS_OPTIONS if option > radius]
    if not wider:
        return None, 0
    distance = distance_expression(place.latitude, place.longitude)
    counts = base.filter(within_radius_q(place.latitude, place.longitude, wider[-1])).aggregate(
        **{
            f"within_{option}": Count(
                "pk", filter=Q(LessThanOrEqual(distance, Value(float(option)))), distinct=distinct
            )
            for option in wider
        }
    )
    for option in wider:
        if counts[f"within_{option}"]:
            return option, counts[f"within_{option}"]
    return None, 0
