"""The class follow-up's CSV and XLSX exports, read back: French headers, the page's rows and filter, cells that a
spreadsheet would run as formulas neutralised, a safe file name, and a 404 for a class one does not follow."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from backend.offers.enums import ApplicationStatus
from scheduling.enums import BookingStatus
from tests import factories
from tests.follow_up.class_support import DAY, ClassCast, monday

pytestmark = pytest.mark.django_db

HEADER = [
    "Élève",
    "Candidatures",
    "Envoyée",
    "Lue par la structure",
    "Acceptée, à confirmer par l'élève",
    "Refusée",
    "Stage confirmé",
    "Retirée",
    "Expirée",
    "Stage trouvé",
    "Semaine de stage",
    "Séquences réservées (terminées)",
    "Séquences suivies",
    "Tutorat réservé",
    "Tutorat suivi",
    "Vidéos vues",
    "Dernière activité",
    "Besoin d'aide",
]


@pytest.fixture
def cast():
    cast = ClassCast()
    now = cast.now
    ines = cast.pupil("Inès", "Benali", last_login=now)
    cast.application(ines, ApplicationStatus.SUBMITTED)
    cast.application(ines, ApplicationStatus.CONFIRMED, week_start=monday(28))
    session, booking = cast.session()
    cast.attendance(session, booking, ines)
    cast.tutoring(ines, BookingStatus.ATTENDED, starts_in=-DAY)
    cast.video(ines)
    cast.pupil('=HYPERLINK("http://example.org")', "Kaci", last_login=now - 20 * DAY)
    cast.ines = ines
    return cast


def get(client, user, cast, name, **params):
    client.force_login(user)
    return client.get(reverse(name, args=[cast.school_class.pk]), params)


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.active


def test_csv(client, cast):
    response = get(client, cast.teacher, cast, "follow_up:class_export_csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="suivi-3e-b-2026-2027.csv"'
    assert response["Cache-Control"] == "no-store"
    lines = read_csv(response)
    assert lines[0] == HEADER
    assert len(lines) == 3
    injected, ines = lines[1], lines[2]  # "=" sorts before "I"
    week = cast.ines.applications.get(status="confirmed").week.week_start
    assert ines[:17] == [
        "Inès B.",
        "2",
        "1",
        "0",
        "0",
        "0",
        "1",
        "0",
        "0",
        "Oui",
        f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d} (semaine du {week:%d/%m/%Y})",
        "1",
        "1",
        "1",
        "1",
        "1",
        ines[16],
    ]
    assert ines[17] == "Non"
    # The formula is text again; the pupil needs help, said in words.
    assert injected[0] == '\'=HYPERLINK("http://example.org") K.'
    assert injected[10] == "pas encore"
    assert injected[17] == "Pas de stage et aucune candidature en cours ; Aucune activité depuis 14 jours"


def test_xlsx(client, cast):
    response = get(client, cast.teacher, cast, "follow_up:class_export_xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="suivi-3e-b-2026-2027.xlsx"'
    sheet = read_xlsx(response)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width > 8
    assert sheet.freeze_panes == "A2"
    injected, ines = rows[1], rows[2]
    assert ines[:3] == ["Inès B.", 2, 1]
    assert ines[9] == "Oui"
    assert injected[0] == '\'=HYPERLINK("http://example.org") K.'
    assert sheet["A2"].data_type == "s"  # a string, not a formula
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("name", ["follow_up:class_export_csv", "follow_up:class_export_xlsx"])
def test_the_filter_applies(client, cast, name):
    response = get(client, cast.teacher, cast, name, filtre="no_internship")
    assert response.status_code == 200
    if name.endswith("csv"):
        names = [line[0] for line in read_csv(response)[1:]]
    else:
        names = [row[0].value for row in read_xlsx(response).iter_rows(min_row=2)]
    assert names == ['\'=HYPERLINK("http://example.org") K.']


@pytest.mark.parametrize("name", ["follow_up:class_export_csv", "follow_up:class_export_xlsx"])
def test_a_nonsense_filter_is_a_400(client, cast, name):
    response = get(client, cast.teacher, cast, name, filtre="drop table")
    assert response.status_code == 400
    assert "Ce filtre n'existe pas." in response.content.decode()


@pytest.mark.parametrize("name", ["follow_up:class_export_csv", "follow_up:class_export_xlsx"])
def test_a_class_she_does_not_teach_is_a_404(client, cast, name):
    other = ClassCast()
    assert get(client, other.teacher, cast, name).status_code == 404
    assert get(client, cast.ines, cast, name).status_code == 404
    head = factories.SchoolStaffFactory(school=cast.school, head=True).user
    assert get(client, head, cast, name).status_code == 200


def test_the_page_links_to_the_exports_with_its_filter(client, cast):
    client.force_login(cast.teacher)
    html = client.get(
        reverse("follow_up:class_follow_up", args=[cast.school_class.pk]), {"filtre": "inactive"}
    ).content.decode()
    assert reverse("follow_up:class_export_csv", args=[cast.school_class.pk]) + "?filtre=inactive" in html
    assert reverse("follow_up:class_export_xlsx", args=[cast.school_class.pk]) + "?filtre=inactive" in html


def test_a_class_name_cannot_break_the_header(client):
    cast = ClassCast()
    cast.school_class.name = '3e "A"\r\nX-Injected: 1'
    cast.school_class.save()
    response = get(client, cast.teacher, cast, "follow_up:class_export_csv")
    assert response["Content-Disposition"] == 'attachment; filename="suivi-3e-a-x-injected-1-2026-2027.csv"'
