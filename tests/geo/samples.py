"""The small communes file the geo tests import: 28 rows taken from the shipped file, chosen for homonyms
(four Saint-Denis), shared postcodes (01400), Corsica, overseas zones and every origin of coordinates."""

from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "communes_sample.csv"
SAMPLE_COMMUNES = 28
SAMPLE_WITHOUT_COORDINATES = 1  # Arutua (987), an atoll that no source places
SAMPLE_APPROXIMATE = 1  # Celles (15), at the mean point of the communes sharing its postcode 15170
# The origin of each sample commune's coordinates, by INSEE code, for those that are not GeoNames places.
SAMPLE_SOURCES = {
    "01001": "town_hall",  # L'Abergement-Clémenciat
    "11339": "town_hall",  # Saint-Denis (11)
    "30247": "town_hall",  # Saint-Denis (30)
    "16276": "centroid",  # Reignac: its town hall's listed position lies outside the commune
    "15031": "postcode",  # Celles: restored out of a commune nouvelle, no outline of its own shipped yet
    "98713": "",  # Arutua
}
