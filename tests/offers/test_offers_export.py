"""The CSV export of offers: who gets which offers, the file's shape, and no formula slipping through."""

import csv
import datetime
import io

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory
from django.urls import reverse
from django.utils import timezone

from backend.offers.models import OfferWeek
from backend.offers.rules import iso_week
from backend.offers.views.exports import offers_csv
from tests import factories

URL = reverse("offers:offers_csv")


def rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))


def export_as(client, user) -> list[list[str]]:
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="offres-passerelle-')
    return rows(response)


def ids(table) -> set[int]:
    return {int(row[0]) for row in table[1:]}


def test_each_manager_gets_her_offers_and_platform_staff_all(client, world):
    other = factories.OfferFactory()

    assert ids(export_as(client, world["users"]["association_staff"])) == {world["association_offer"].pk}
    assert ids(export_as(client, world["users"]["employer"])) == {world["offer"].pk, world["draft_offer"].pk}
    assert ids(export_as(client, world["users"]["platform_staff"])) == {
        world["offer"].pk,
        world["draft_offer"].pk,
        world["association_offer"].pk,
        other.pk,
    }


def test_an_employer_also_gets_what_an_association_posted_for_her_organisation(client, world):
    posted = factories.OfferFactory(organisation=world["organisation"], association=factories.AssociationFactory())

    assert posted.pk in ids(export_as(client, world["users"]["employer"]))


@pytest.mark.parametrize("role", ["pupil", "teacher", "school_head", "tutor", "professional", "no_role"])
def test_others_are_refused(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(URL).status_code == 403


def test_the_columns_and_a_row(client, world):
    offer = world["association_offer"]
    offer.external_id = "stage-42"
    offer.save()
    first = offer.weeks.first()
    first.seats_taken = 1
    first.save()

    table = export_as(client, world["users"]["association_staff"])

    assert table[0] == [
        "Numéro",
        "Identifiant chez le partenaire",
        "Titre",
        "Structure d'accueil",
        "SIRET",
        "Secteur",
        "Domaine professionnel",
        "Métier",
        "Type de stage",
        "Format",
        "Commune",
        "Code INSEE",
        "Semaines (places / prises)",
        "État",
        "Créée le",
        "Publiée le",
    ]
    row = dict(zip(table[0], table[1], strict=True))
    assert row["Numéro"] == str(offer.pk)
    assert row["Identifiant chez le partenaire"] == "stage-42"
    assert row["SIRET"] == offer.organisation.siret
    assert row["Secteur"] == "H — Industrie"
    assert row["Domaine professionnel"].startswith("H26 — ")
    assert row["Type de stage"] == "Stage d'observation de 3e"
    assert row["Format"] == "Sur place"
    assert (row["Commune"], row["Code INSEE"]) == ("Saint-Denis", "93066")
    weeks = [week.iso_week for week in offer.weeks.all()]
    assert row["Semaines (places / prises)"] == f"{weeks[0]} (2/1) ; {weeks[1]} (2/0)"
    assert row["État"] == "Publiée"


def test_formulas_are_neutralised(client, world):
    offer = world["association_offer"]
    offer.title = '=HYPERLINK("http://evil.example","clic")'
    offer.job_title = "+33 6 00 00 00 00"
    offer.save()
    offer.organisation.name = "@SUM(A1:A9)"
    offer.organisation.save()

    row = export_as(client, world["users"]["association_staff"])[1]

    assert row[2] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row[3] == "'@SUM(A1:A9)"
    assert row[7] == "'+33 6 00 00 00 00"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_dates_in_the_viewers_time_zone_and_hidden_offers_said_so(client, world):
    staff = world["users"]["association_staff"]
    staff.time_zone = "Indian/Reunion"
    staff.save()
    offer = world["association_offer"]
    moment = datetime.datetime(2026, 11, 2, 20, 30, tzinfo=datetime.UTC)
    type(offer).objects.filter(pk=offer.pk).update(created_at=moment, published_at=moment, hidden_at=timezone.now())

    row = export_as(client, staff)[1]

    assert row[14] == row[15] == "2026-11-03 00:30"
    assert row[13] == "Publiée, masquée par la modération"


def test_a_remote_offer_and_no_week(client, world):
    offer = factories.OfferFactory(association=world["association"], remote=True, weeks=0)

    table = export_as(client, world["users"]["association_staff"])

    row = next(row for row in table[1:] if row[0] == str(offer.pk))
    assert (row[10], row[11], row[12]) == ("À distance", "", "")


def test_the_queries_do_not_grow_with_the_offers(client, world, django_assert_max_num_queries):
    for _n in range(30):
        offer = factories.OfferFactory(association=world["association"])
        OfferWeek.objects.create(offer=offer, week_start=factories.next_monday(9), seats=1)
    client.force_login(world["users"]["association_staff"])

    with django_assert_max_num_queries(12):
        table = rows(client.get(URL))

    assert len(table) == 32


def test_served_from_an_asynchronous_iterator_under_asgi(world):
    request = AsyncRequestFactory().get(URL)
    request.user = world["users"]["association_staff"]

    response = offers_csv(request)

    assert response.is_async

    async def read():
        return b"".join([chunk async for chunk in response])

    content = async_to_sync(read)().decode("utf-8")
    assert content.startswith("\ufeffNuméro;")
    assert iso_week(world["association_offer"].weeks.first().week_start) in content
