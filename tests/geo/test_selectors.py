import pytest

from backend.geo.models import Commune
from backend.geo.selectors import (
    MAX_QUERY_LENGTH,
    commune_code_for,
    get_commune_by_code,
    resolve_commune_text,
    search_communes,
)

pytestmark = pytest.mark.usefixtures("communes")


def names(communes):
    return [str(commune) for commune in communes]


@pytest.mark.parametrize("query", ["Saint-Étienne", "saint etienne", "SAINT-ETIENNE", "st etienne", "St-Étienne"])
def test_name_ignores_accents_case_hyphens_and_saint_abbreviation(query):
    assert names(search_communes(query)) == ["Saint-Étienne (42)", "Saint-Étienne-du-Rouvray (76)"]


def test_beginning_of_a_name():
    assert names(search_communes("saint-e")) == ["Saint-Étienne (42)", "Saint-Étienne-du-Rouvray (76)"]
    assert names(search_communes("mars")) == ["Marseille (13)"]


def test_any_word_of_the_name():
    assert names(search_communes("rouvray")) == ["Saint-Étienne-du-Rouvray (76)"]
    assert names(search_communes("etienne du")) == ["Saint-Étienne-du-Rouvray (76)"]
    assert names(search_communes("lyon")) == ["Lyon (69)", "Sainte-Foy-lès-Lyon (69)"]  # exact match first
    # Words out of order are still found.
    assert names(search_communes("rouvray saint")) == ["Saint-Étienne-du-Rouvray (76)"]


def test_apostrophes_and_ligatures():
    assert names(search_communes("l'hay")) == ["L'Haÿ-les-Roses (94)"]
    assert names(search_communes("l\u2019haÿ les")) == ["L'Haÿ-les-Roses (94)"]
    assert names(search_communes("oeting")) == ["Œting (57)"]
    assert names(search_communes("Œting")) == ["Œting (57)"]


def test_st_also_begins_names():
    # "st" stands for "saint" and also begins Strasbourg and Stenay; "ste" for "sainte".
    found = names(search_communes("st"))
    assert {"Strasbourg (67)", "Stenay (55)", "Saint-Étienne (42)"} <= set(found)
    assert names(search_communes("ste foy")) == ["Sainte-Foy-lès-Lyon (69)"]


def test_homonyms_ranked_by_population_then_narrowed_by_departement():
    assert names(search_communes("saint denis")) == [
        "Saint-Denis (974)",
        "Saint-Denis (93)",
        "Saint-Denis (11)",
        "Saint-Denis (30)",
    ]
    assert names(search_communes("Saint-Denis (93)")) == ["Saint-Denis (93)"]
    assert names(search_communes("saint denis 974")) == ["Saint-Denis (974)"]
    assert names(search_communes("saint denis 93380")) == ["Saint-Denis (93)"]


def test_postcode_and_its_beginning():
    assert names(search_communes("42100")) == ["Saint-Étienne (42)"]
    assert names(search_communes("75011")) == ["Paris (75)"]
    assert names(search_communes("01400")) == ["Châtillon-sur-Chalaronne (01)", "L'Abergement-Clémenciat (01)"]
    assert names(search_communes("974")) == ["Saint-Denis (974)"]
    assert names(search_communes("97")) == [
        "Saint-Denis (974)",
        "Fort-de-France (972)",
        "Mamoudzou (976)",
        "Cayenne (973)",
        "Pointe-à-Pitre (971)",
    ]
    assert names(search_communes("988")) == ["Nouméa (988)"]
    assert names(search_communes("7", limit=5)) == []  # one digit says too little


def test_insee_code():
    assert names(search_communes("42218")) == ["Saint-Étienne (42)"]
    assert names(search_communes("2A004")) == ["Ajaccio (2A)"]
    assert names(search_communes("2b")) == ["Bastia (2B)"]
    # The arrondissements of Paris, Lyon and Marseille lead to their commune.
    assert names(search_communes("75111")) == ["Paris (75)"]
    assert commune_code_for("69383") == "69123"
    assert commune_code_for("13055") == "13055"
    assert get_commune_by_code("13208").name == "Marseille"


def test_limit_and_bad_queries():
    assert len(search_communes("saint", limit=2)) == 2
    assert search_communes("") == []
    assert search_communes("   ") == []
    assert search_communes("-'") == []
    assert search_communes("x" * (MAX_QUERY_LENGTH + 1)) == []
    assert search_communes("zzzz") == []


@pytest.mark.parametrize(
    ("text", "insee_code"),
    [
        ("Saint-Étienne", "42218"),
        ("st etienne", "42218"),
        ("Saint-Étienne (42)", "42218"),
        ("Saint-Denis (974)", "97411"),
        ("saint denis 93", "93066"),
        ("Saint-Denis 93200", "93066"),
        ("42000", "42218"),
        ("42218", "42218"),
        ("2a004", "2A004"),
        ("75111", "75056"),
        ("Lyon", "69123"),
    ],
)
def test_resolve_text_found(text, insee_code):
    resolution = resolve_commune_text(text)
    assert resolution.commune is not None
    assert resolution.commune.insee_code == insee_code
    assert resolution.problem == ""


def test_resolve_text_ambiguous_or_not_found():
    resolution = resolve_commune_text("Saint-Denis")
    assert resolution.commune is None
    assert resolution.problem == "ambiguous_name"
    assert names(resolution.candidates)[:2] == ["Saint-Denis (974)", "Saint-Denis (93)"]

    resolution = resolve_commune_text("01400")
    assert resolution.problem == "ambiguous_postcode"
    assert len(resolution.candidates) == 2

    resolution = resolve_commune_text("Saint-Étienne-du")
    assert resolution.problem == "not_found"
    assert names(resolution.candidates) == ["Saint-Étienne-du-Rouvray (76)"]

    assert resolve_commune_text("Pariss").problem == "not_found"
    assert resolve_commune_text("99999").problem == "not_found"
    assert resolve_commune_text("").problem == "not_found"


def test_a_commune_saved_one_by_one_is_searchable_too():
    commune = Commune.objects.create(
        insee_code="99999", name="Saint-Essai-sur-Test", departement_code="42", departement_name="Loire"
    )
    assert commune.search_name == "saint essai sur test"
    assert names(search_communes("essai sur")) == ["Saint-Essai-sur-Test (42)"]
    commune.name = "Sainte-Épreuve"
    commune.save(update_fields=["name"])
    assert names(search_communes("epreuve")) == ["Sainte-Épreuve (42)"]
    assert search_communes("essai sur") == []
