"""The class's applications as CSV for Excel in French: BOM, `;`, the right rows, and no formula left alive."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.offers import exports
from backend.offers.enums import ApplicationStatus
from backend.offers.models import OfferWeek
from tests import factories

pytestmark = pytest.mark.django_db


def download(client, user, school_class):
    client.force_login(user)
    response = client.get(reverse("offers:class_applications_csv", args=[school_class.pk]))
    assert response.status_code == 200
    return response


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("Électricienne", "Électricienne"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert exports.csv_safe(value) == expected


def test_the_class_applications_csv(client, world):
    world["users"]["pupil"].first_name = '=HYPERLINK("http://x")'
    world["users"]["pupil"].save()
    offer = world["offer"]
    offer.title = "@Stage; « électricité »"
    offer.save()
    week = offer.weeks.order_by("week_start").first()
    confirmed = factories.ApplicationFactory(
        offer=factories.OfferFactory(organisation=world["organisation"], title="+Menuiserie"),
        pupil=factories.EnrolmentFactory(
            school_class=world["school_class"], pupil__first_name="Inès", pupil__last_name="Benali"
        ).pupil,
        status=ApplicationStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    confirmed.week = confirmed.weeks.get()
    confirmed.save()
    OfferWeek.objects.filter(pk=confirmed.week_id).update(seats_taken=1)
    elsewhere = factories.ApplicationFactory()  # a pupil of another class

    response = download(client, world["users"]["teacher"], world["school_class"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="candidatures-' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == [
        "Élève",
        "Offre",
        "Structure",
        "Commune",
        "État",
        "Semaine",
        "Du",
        "Au",
        "Candidature envoyée le",
    ]
    assert len(rows) == 3
    by_pupil = {row[0]: row for row in rows[1:]}
    pupil = world["users"]["pupil"]
    submitted = by_pupil[f"'{pupil.first_name} {pupil.last_name}"]
    assert submitted[1] == "'@Stage; « électricité »"
    assert submitted[2:6] == [world["organisation"].name, "Saint-Denis", "Envoyée", week.iso_week]
    assert submitted[6:8] == ["", ""]
    row = by_pupil["Inès Benali"]
    assert row[1] == "'+Menuiserie"
    assert row[4] == "Stage confirmé"
    monday = confirmed.week.week_start
    assert row[5] == confirmed.week.iso_week
    assert row[6] == monday.strftime("%d/%m/%Y")
    assert row[7] == (monday + datetime.timedelta(days=4)).strftime("%d/%m/%Y")
    assert elsewhere.pupil.last_name not in response.content.decode()


def test_the_csv_opens_in_excel_with_semicolons_and_crlf(client, world):
    content = download(client, world["users"]["school_head"], world["school_class"]).content
    assert content.startswith(b"\xef\xbb\xbf")
    first_line = content.split(b"\r\n")[0].decode("utf-8-sig")
    assert first_line.count(";") == 8
