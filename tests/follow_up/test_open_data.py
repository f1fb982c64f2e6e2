"""The open-data export of offers: public, aggregated and anonymous, exact, cached; and the page documenting it."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.follow_up.territory import open_data_rows, territory_figures
from backend.offers.models import Offer
from tests.follow_up.territory_support import YEAR, make_country, offer

pytestmark = pytest.mark.django_db

COLUMNS = [
    "annee_scolaire",
    "code_departement",
    "departement",
    "code_secteur",
    "secteur",
    "type_de_stage",
    "format",
    "offres",
    "places",
]
OBSERVATION = "Stage d'observation de 3e"
PFMP = "Période de formation en milieu professionnel (lycée professionnel)"
INDUSTRY = "Industrie"
MEDIA = "Communication, média et multimédia"


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def country():
    return make_country()


def test_open_data_is_public_and_exact(client, country):
    response = client.get(reverse("follow_up:open_data_offers"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="passerelle-offres.csv"'
    assert response["Cache-Control"] == "public, max-age=3600"
    assert rows_of(response) == [
        COLUMNS,
        ["2026-2027", "69", "Rhône", "J", "Santé", PFMP, "Sur place", "1", "5"],
        ["2026-2027", "93", "Seine-Saint-Denis", "D", "Commerce, vente et grande distribution", OBSERVATION,
         "Sur place et à distance", "1", "3"],
        ["2026-2027", "93", "Seine-Saint-Denis", "H", INDUSTRY, OBSERVATION, "Sur place", "3", "10"],
        ["2026-2027", "974", "La Réunion", "H", INDUSTRY, OBSERVATION, "Sur place", "1", "1"],
        ["2026-2027", "", "À distance", "E", MEDIA, OBSERVATION, "À distance", "1", "10"],
        ["2026-2027", "", "À distance", "E", MEDIA, PFMP, "À distance", "1", "10"],
        ["2025-2026", "93", "Seine-Saint-Denis", "H", INDUSTRY, OBSERVATION, "Sur place", "1", "4"],
    ]  # fmt: skip


def test_open_data_holds_no_names_nor_ids_nor_pupils(client, country):
    text = client.get(reverse("follow_up:open_data_offers")).content.decode("utf-8-sig")
    for item in Offer.objects.select_related("organisation"):
        assert item.organisation.name not in text
        assert item.title not in text
        assert item.organisation.siret not in text
    for school in country["schools"].values():
        assert school.name not in text
        assert school.uai not in text
    assert "candidat" not in text.lower()
    assert "élève" not in text.lower()


def test_open_data_labels_are_french_whatever_the_language(client, country):
    client.cookies["django_language"] = "en"
    rows = rows_of(client.get(reverse("follow_up:open_data_offers"), HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[1][4] == "Santé"


def test_open_data_is_cached_for_an_hour(client, country):
    first = client.get(reverse("follow_up:open_data_offers")).content
    offer(country["communes"]["69"], seats=7)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(reverse("follow_up:open_data_offers")).content
    assert again == first
    assert not [query for query in captured if "offers_offerweek" in query["sql"]]
    cache.clear()
    assert client.get(reverse("follow_up:open_data_offers")).content != first


def test_open_data_without_offers_is_just_the_header(client, db):
    assert rows_of(client.get(reverse("follow_up:open_data_offers"))) == [COLUMNS]


def test_open_data_page_documents_the_file(client, db):
    response = client.get(reverse("follow_up:open_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Etalab 2.0" in page
    assert "60 minutes" in page
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page
    assert reverse("follow_up:open_data_offers") in page
    assert "<caption>" in page


def test_footer_links_to_open_data(client, db):
    page = client.get(reverse("ui:welcome")).content.decode()
    assert f'href="{reverse("follow_up:open_data")}"' in page


def test_open_data_refuses_other_methods(client, db):
    assert client.post(reverse("follow_up:open_data_offers")).status_code == 405


def test_open_data_agrees_with_the_national_view(country):
    """The open data (ORM) and the view (SQL) count offers by the same rule."""
    rows = [row for row in open_data_rows() if row["school_year"] == YEAR]
    figures = territory_figures(year=YEAR)
    assert (sum(row["offers"] for row in rows), sum(row["seats"] for row in rows)) == (figures.offers, figures.seats)
