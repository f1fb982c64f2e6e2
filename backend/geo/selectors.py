"""Reading communes: the autocomplete search and the lookups that forms and other apps need."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from backend.geo.models import Commune, Postcode, SearchKey
from backend.geo.search import SAINT_ABBREVIATIONS, search_words

MAX_QUERY_LENGTH = 100
MIN_DIGITS = 2  # a postcode prefix shorter than a département number matches too much to help

_CODE = re.compile(r"^(\d{2,5}|2[AB]\d{0,3})$")
_DEPARTEMENT = re.compile(r"^(\d{2,3}|2[AB])$")
# "Saint-Denis (974)", "Saint-Denis (93200)": a name followed by a département or postcode in brackets.
_NAME_WITH_AREA = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<area>\d{2,5}|2[ABab])\s*\)\s*$")

# Paris, Lyon and Marseille are one commune each in this table; the INSEE codes of their arrondissements
# municipaux, which other data sets (school directories…) use, lead to the commune.
ARRONDISSEMENT_RANGES = [
    (75101, 75120, "75056"),  # Paris
    (69381, 69389, "69123"),  # Lyon
    (13201, 13216, "13055"),  # Marseille
]


def commune_code_for(insee_code: str) -> str:
    """The INSEE code of the commune, given its own code or that of one of its arrondissements municipaux."""
    code = (insee_code or "").strip().upper()
    if code.isdigit():
        for first, last, commune in ARRONDISSEMENT_RANGES:
            if first <= int(code) <= last:
                return commune
    return code


def get_commune_by_code(insee_code: str) -> Commune | None:
    return Commune.objects.filter(insee_code=commune_code_for(insee_code)).first()


def _word_condition(word: str) -> Q:
    """The word begins the name or one of its words; "st" also matches "saint" (and so on)."""
    condition = Q(search_name__startswith=word) | Q(search_name__contains=" " + word)
    spelt_out = SAINT_ABBREVIATIONS.get(word)
    if spelt_out:
        condition |= Q(search_name__startswith=spelt_out + " ") | Q(search_name__contains=" " + spelt_out + " ")
    return condition


def _ranked(queryset: QuerySet, *exact: Q, prefix: Q | None = None) -> QuerySet:
    """Exact matches first, then names that begin with the query, then the rest; the most populous first."""
    whens = [When(condition, then=Value(0)) for condition in exact]
    if prefix is not None:
        whens.append(When(prefix, then=Value(1)))
    return queryset.annotate(rank=Case(*whens, default=Value(2), output_field=IntegerField())).order_by(
        "rank", F("population").desc(nulls_last=True), "name", "insee_code"
    )


def _search_by_code(code: str, limit: int) -> list[Commune]:
    """By INSEE code, postcode or département: exact codes first, then the most populous.

    A few small queries, each answered from an index, merged here: one query joining them with OR would read the
    whole table (and, on PostgreSQL, cost enough to be compiled by the JIT).
    """
    if code.isdigit() and len(code) < MIN_DIGITS:
        return []
    by_population = [F("population").desc(nulls_last=True), "name", "insee_code"]
    exact = list(Commune.objects.filter(insee_code=commune_code_for(code)))
    others: list[Commune] = []
    if code.isdigit():
        same = Postcode.objects.filter(code=code).values("commune_id")
        exact += Commune.objects.filter(id__in=same).order_by(*by_population)[:limit]
        starting = Postcode.objects.filter(_starts_with("code", code)).values("commune_id")
        others += Commune.objects.filter(id__in=starting).order_by(*by_population)[:limit]
    if _DEPARTEMENT.match(code):
        others += Commune.objects.filter(departement_code=code).order_by(*by_population)[:limit]
    found: dict[str, Commune] = {}
    for communes in (exact, others):
        for commune in sorted(communes, key=_by_population):
            found.setdefault(commune.insee_code, commune)
    return list(found.values())[:limit]


def _by_population(commune: Commune) -> tuple:
    return (commune.population is None, -(commune.population or 0), commune.name, commune.insee_code)


def _area_condition(area: str) -> Q:
    """A département ("93", "2A", "974") or a postcode ("93200"), given with a name to tell homonyms apart."""
    area = area.upper()
    if area == "20":  # Corsica's postcodes begin with 20, its départements are 2A and 2B
        return Q(departement_code__in=["2A", "2B"])
    if _DEPARTEMENT.match(area):
        return Q(departement_code=area)
    if len(area) == 5:
        return Q(id__in=Postcode.objects.filter(code=area).values("commune_id"))
    return Q(id__in=Postcode.objects.filter(_starts_with("code", area)).values("commune_id"))


def search_communes(query: str, limit: int = 10) -> list[Commune]:
    """Communes matching what a person types: a name or its beginning, a postcode or its beginning, an INSEE code.

    Accents, case, hyphens and apostrophes are ignored, and "st"/"ste" stand for "saint"/"sainte": "st etienne"
    finds Saint-Étienne. A département or postcode may follow the name, in brackets or not: "Saint-Denis (974)",
    "saint denis 93". Exact matches come first, then names that begin with the query, each group by population.
    """
    query = (query or "").strip()
    if not query or len(query) > MAX_QUERY_LENGTH or limit <= 0:
        return []
    compact = re.sub(r"[\s.]", "", query).upper()
    if _CODE.match(compact):
        return _search_by_code(compact, limit)
    if compact.isdigit():  # a single digit
        return []

    name, area = _split_area(query)
    words = search_words(name)
    if not words:
        return []

    phrase = " ".join(words)
    spelt = " ".join(SAINT_ABBREVIATIONS.get(word, word) for word in words)
    exact = Q(search_name=phrase) | Q(search_name=spelt)
    prefix = Q(search_name__startswith=phrase) | Q(search_name__startswith=spelt)
    area_condition = _area_condition(area) if area else Q()

    # The words as typed, from any word of the name on ("etienne du r" finds Saint-Étienne-du-Rouvray): one
    # indexed lookup in the search keys.
    keys = SearchKey.objects.filter(_starts_with("key", phrase) | _starts_with("key", spelt))
    queryset = Commune.objects.filter(area_condition, id__in=keys.values("commune_id"))
    found = list(_ranked(queryset, exact, prefix=prefix)[:limit])
    if found or len(words) == 1:
        return found
    # Otherwise several words in any order and place ("saint rouvray"): this reads the whole table, but only
    # for queries that found nothing the quick way (for one word, the search keys have said all).
    queryset = Commune.objects.filter(area_condition)
    for word in words:
        queryset = queryset.filter(_word_condition(word))
    return list(_ranked(queryset, exact, prefix=prefix)[:limit])


def _starts_with(field_name: str, prefix: str) -> Q:
    """The field begins with prefix, written so that the database uses the column's index.

    SQLite cannot use an index for LIKE (Django adds an ESCAPE clause); these fields hold only [a-z0-9 ]
    (search names, postcodes), so a range up to "{" (the character after "z") selects the same rows.
    PostgreSQL's collation may order punctuation otherwise, but Django gives these columns a pattern index
    that LIKE 'prefix%' uses.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix + "{"})
    return Q(**{f"{field_name}__startswith": prefix})


@dataclass
class Resolution:
    """What a typed text designates: one commune, or why not (with the candidates to offer instead)."""

    commune: Commune | None = None
    candidates: list[Commune] = field(default_factory=list)
    problem: str = ""  # "", "ambiguous_name", "ambiguous_postcode" or "not_found"


def _split_area(text: str) -> tuple[str, str | None]:
    """ "Saint-Denis (974)" or "saint denis 93" → the name and the département or postcode."""
    bracketed = _NAME_WITH_AREA.match(text)
    if bracketed:
        return bracketed["name"], bracketed["area"]
    words, area = [], None
    for word in search_words(text):
        if _DEPARTEMENT.match(word.upper()) or (word.isdigit() and len(word) == 5):
            area = word
        else:
            words.append(word)
    return " ".join(words), area


def resolve_commune_text(text: str, queryset: QuerySet | None = None) -> Resolution:
    """The commune that a text typed without the autocomplete designates, for forms used without JavaScript.

    Accepts a name ("Saint-Étienne", "st etienne"), a name with its département or postcode
    ("Saint-Denis (974)", "Saint-Denis 93200"), a postcode served by one commune, or an INSEE code.
    """
    queryset = Commune.objects.all() if queryset is None else queryset
    text = (text or "").strip()
    if not text or len(text) > MAX_QUERY_LENGTH:
        return Resolution(problem="not_found")
    by_population = [F("population").desc(nulls_last=True), "name", "insee_code"]

    compact = re.sub(r"[\s.]", "", text).upper()
    if re.match(r"^(\d{5}|2[AB]\d{3})$", compact):
        # Typed by a person, five digits are more often a postcode than an INSEE code.
        served = list(queryset.filter(postcodes__code=compact).distinct().order_by(*by_population)[:10])
        if len(served) == 1:
            return Resolution(commune=served[0])
        coded = queryset.filter(insee_code=commune_code_for(compact)).first()
        if coded is not None and not served:
            return Resolution(commune=coded)
        if served:
            return Resolution(candidates=served, problem="ambiguous_postcode")
        return Resolution(problem="not_found")

    name, area = _split_area(text)
    words = search_words(name)
    if not words:
        return Resolution(problem="not_found")
    names = {" ".join(words), " ".join(SAINT_ABBREVIATIONS.get(word, word) for word in words)}
    matches = queryset.filter(search_name__in=names)
    if area:
        matches = matches.filter(_area_condition(area))
    matches = list(matches.order_by(*by_population)[:10])
    if len(matches) == 1:
        return Resolution(commune=matches[0])
    if matches:
        return Resolution(candidates=matches, problem="ambiguous_name")
    return Resolution(candidates=search_communes(text, limit=5), problem="not_found")
