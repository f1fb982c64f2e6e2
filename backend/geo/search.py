"""Text normalisation for searching place names, shared by the communes import, its search and other apps.

Pure Python (no Django import), so that the offline derivation script can use it too.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_PUNCTUATION = re.compile(r"[\W_]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")

# Abbreviations people type for the saints that begin so many commune names ("St-Étienne", "Ste Foy").
SAINT_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalise_search(text: str) -> str:
    """Lower-case, accent-free words separated by single spaces.

    Hyphens, apostrophes and any other punctuation become spaces: "L'Haÿ-les-Roses" gives "l hay les roses",
    "Saint-Étienne" gives "saint etienne".
    """
    if not text:
        return ""
    # Punctuation of any kind (apostrophes, guillemets, dashes) becomes a space first; then, decomposed, "é" is
    # "e" followed by a combining accent, which the ASCII encoding drops (as it drops letters of other scripts,
    # which French place names do not use).
    spaced = _PUNCTUATION.sub(" ", str(text).translate(_LIGATURES))
    bare = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub(" ", bare).strip()


def search_words(text: str) -> list[str]:
    """The words of a query, normalised as by `normalise_search`."""
    return normalise_search(text).split()


def expand_abbreviations(words: list[str]) -> list[str]:
    """The same words with "st", "ste"… spelt out as in official names."""
    return [SAINT_ABBREVIATIONS.get(word, word) for word in words]


def search_keys(search_name: str) -> list[str]:
    """A normalised name from each of its words on: "saint etienne du rouvray", "etienne du rouvray", … "rouvray"."""
    words = search_name.split()
    return [" ".join(words[start:]) for start in range(len(words))]
