"""The catalogue's search on PostgreSQL: French full-text search without accents, and trigrams for typos.

- Extensions `unaccent` and `pg_trgm` (both "trusted": a database owner may create them).
- A text search configuration `passerelle_fr`: French, with `unaccent` before the French stemmer, so that
  "Électricienne", "electricienne" and "électricien" give the same lexeme.
- `passerelle_unaccent(text)`: `unaccent` declared IMMUTABLE (the extension's own function is only STABLE, as
  its dictionary could change), so that a generated column can use it.
- Two columns that PostgreSQL computes on every write (GENERATED ALWAYS … STORED), unknown to the Django model
  and never written by it: `search_vector`, the tsvector of `search_document`, with a GIN index for the keyword
  search; `search_title`, the unaccented title and job, with a GIN trigram index for the typo-tolerant match
  ("electricein"). Title and job are short: the trigram check stays cheap where the whole description would
  make every row a candidate. Stored rather than expression indexes: on 100,000 offers, a search that the
  planner answers from the place and sector indexes would otherwise parse the text of every candidate row again
  (about 100 ms instead of a few).

- A partial index on (sector, latitude, longitude) of the offers in the catalogue, for a sector near a place.

Only backend/offers/search.py reads these columns. Nothing happens on SQLite, whose search keeps the same filters
with a simpler text match.
"""

from django.db import migrations

FTS_INDEX = "offers_offer_search_fts"
TRIGRAM_INDEX = "offers_offer_search_trgm"
PLACE_INDEX = "offers_offer_catalogue_place"


def _unaccent_schema(cursor) -> str:
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema = _unaccent_schema(cursor)
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'passerelle_fr'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE TEXT SEARCH CONFIGURATION passerelle_fr (COPY = pg_catalog.french)")
        cursor.execute(
            "ALTER TEXT SEARCH CONFIGURATION passerelle_fr "
            f"ALTER MAPPING FOR hword, hword_part, word WITH {schema}.unaccent, french_stem"
        )
        # Qualified names: an index expression may be evaluated with another search_path (restore, autovacuum).
        cursor.execute(
            "CREATE OR REPLACE FUNCTION passerelle_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
            f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        # Stored once per write rather than computed for every row a search looks at: filtering and ranking
        # then read a column instead of parsing the text again.
        cursor.execute(
            "ALTER TABLE offers_offer ADD COLUMN IF NOT EXISTS search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('passerelle_fr'::regconfig, search_document)) STORED"
        )
        cursor.execute(
            "ALTER TABLE offers_offer ADD COLUMN IF NOT EXISTS search_title text "
            "GENERATED ALWAYS AS (passerelle_unaccent(title || ' ' || job_title)) STORED"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {FTS_INDEX} ON offers_offer USING gin (search_vector)")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON offers_offer USING gin (search_title gin_trgm_ops)"
        )
        # A sector near a place, among the catalogue's offers: one short index range instead of intersecting the
        # sector's and the place's (0.3 ms instead of 3 ms on 100,000 offers).
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {PLACE_INDEX} ON offers_offer (sector, latitude, longitude) "
            "WHERE status = 'published' AND hidden_at IS NULL"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {PLACE_INDEX}")
        cursor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        cursor.execute(f"DROP INDEX IF EXISTS {FTS_INDEX}")
        cursor.execute("ALTER TABLE offers_offer DROP COLUMN IF EXISTS search_title")
        cursor.execute("ALTER TABLE offers_offer DROP COLUMN IF EXISTS search_vector")
        cursor.execute("DROP FUNCTION IF EXISTS passerelle_unaccent(text)")
        cursor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS passerelle_fr")
        # The extensions stay: other objects of the database may use them.


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0002_applications_pupil_seen_at"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
