"""The small communes file the geo tests import: 25 rows taken from the shipped file, chosen for homonyms
(four Saint-Denis), shared postcodes (01400), Corsica, overseas zones and communes without coordinates."""

from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "communes_sample.csv"
SAMPLE_COMMUNES = 25
SAMPLE_WITHOUT_COORDINATES = 3  # L'Abergement-Clémenciat, Saint-Denis (11), Saint-Denis (30)
