import pytest

from backend.geo.search import expand_abbreviations, normalise_search, search_keys, search_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œting", "oeting"),
        ("  Pointe-à-Pitre ", "pointe a pitre"),
        ("Morne-à-l\u2019Eau", "morne a l eau"),  # typographic apostrophe
        ("ÎLE-DE-FRANCE", "ile de france"),
        ("", ""),
    ],
)
def test_normalise_search(text, expected):
    assert normalise_search(text) == expected


def test_saint_abbreviations_are_spelt_out():
    assert expand_abbreviations(search_words("St-Étienne")) == ["saint", "etienne"]
    assert expand_abbreviations(search_words("ste foy")) == ["sainte", "foy"]


def test_search_keys_start_at_every_word():
    assert search_keys("saint etienne du rouvray") == [
        "saint etienne du rouvray",
        "etienne du rouvray",
        "du rouvray",
        "rouvray",
    ]
