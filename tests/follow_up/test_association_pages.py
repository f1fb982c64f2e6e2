"""The association dashboard's pages: what the staff read, the year select, the CSV read back, the access rules and
a page's query count that does not grow with the number of sessions."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.follow_up import association_dashboard as board
from backend.schools.enums import Priority
from scheduling.enums import AttendanceSource
from scheduling.models import SessionAttendance
from tests import factories
from tests import test_permissions as permissions
from tests.access import ROLES
from tests.follow_up import access_association
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory

pytestmark = pytest.mark.django_db


def held_sessions(association, count, *, pupils=3):
    """`count` sessions of `association` held last school year (from 1 October on, a day apart: whatever today's
    date, they ended and share a year), each with a class of a REP+ school booked; in the first, the roll was taken
    (one pupil present). Returns their school year."""
    year = board.school_year_of(timezone.now()) - 1
    ends_at = board.school_year_bounds(year)[0] + datetime.timedelta(days=30, hours=12)
    professional = factories.OrganisationMembershipFactory(professional=True).user
    for index in range(count):
        school = factories.SchoolFactory(priority=Priority.REP_PLUS, qpv=True)
        klass = factories.SchoolClassFactory(school=school)
        pupils_of_class = [factories.EnrolmentFactory(school_class=klass).pupil for _ in range(pupils)]
        session_ends = ends_at + datetime.timedelta(days=index)
        session = DiscoverySessionFactory(
            association=association,
            professionals=[professional],
            starts_at=session_ends - datetime.timedelta(hours=1),
            ends_at=session_ends,
            sector="J14",
        )
        booking = SessionBookingFactory(session=session, school_class=klass, status="confirmed")
        if index == 0:
            SessionAttendance.objects.create(
                session=session,
                booking=booking,
                pupil=pupils_of_class[0],
                present=True,
                source=AttendanceSource.ROLL_CALL,
            )
    return year


def dashboard_url(association, year=None, name="follow_up:association_dashboard"):
    base = reverse(name, args=[association.pk])
    return f"{base}?annee={year}" if year is not None else base


@pytest.fixture
def staff():
    return factories.AssociationMembershipFactory(association__name="Les Entrepreneurs du quartier")


def test_the_staff_reads_the_dashboard(client, staff):
    year = held_sessions(staff.association, 2)
    client.force_login(staff.user)
    page = client.get(dashboard_url(staff.association, year)).text
    assert "Tableau de bord de Les Entrepreneurs du quartier" in page
    assert f'<option value="{year}" selected>' in page
    # 2 sessions; the first: one pupil present (roll taken), the second: its class of 3.
    assert '<p class="fr-h3 fr-mb-0">2</p><p class="fr-mb-0">séquences tenues</p>' in page
    assert '<p class="fr-h3 fr-mb-0">4</p><p class="fr-mb-0">élèves touchés</p>' in page
    assert "<caption>Élèves touchés par éducation prioritaire de leur établissement</caption>" in page
    assert '<th scope="row">REP+</th><td>4</td><td>100,0 %</td>' in page
    assert '<th scope="row">93 — Seine-Saint-Denis</th><td>4</td>' in page
    assert '<th scope="row">Santé</th><td>2</td><td>4</td>' in page
    # Present 1; not recorded: the 2 others of the first class and the 3 of the second.
    assert '<th scope="row">Séquences (élèves attendus)</th><td>1</td><td>0</td><td>5</td><td>0,0 %</td>' in page
    assert "Aucun objectif n" in page
    assert dashboard_url(staff.association, year, "follow_up:association_targets") in page
    assert dashboard_url(staff.association, year, "follow_up:association_export_csv") in page

    board.association_target_set(
        association=staff.association,
        school_year=year,
        sessions=8,
        pupils=10,
        priority_pupils_share=None,
        professionals=1,
        by=staff.user,
    )
    page = client.get(dashboard_url(staff.association, year)).text
    assert "2 sur 8 (25,0 % de l&#x27;objectif)" in page or "2 sur 8 (25,0 % de l'objectif)" in page
    assert '<progress max="8" value="2" aria-labelledby="progress-1">' in page
    assert "4 sur 10 (40,0 %" in page
    assert "pas d&#x27;objectif fixé" in page or "pas d'objectif fixé" in page  # the share
    assert '<progress max="1" value="1" aria-labelledby="progress-4">' in page  # 1 of 1: reached


@pytest.mark.parametrize("value", ["abc", "1999", "2026-2030", "<script>"])
def test_a_nonsense_year_shows_a_message_and_the_current_year(client, staff, value):
    client.force_login(staff.user)
    response = client.get(dashboard_url(staff.association), {"annee": value})
    assert response.status_code == 200
    current = board.school_year_of(timezone.now())
    assert "pas proposée : voici l" in response.text
    assert f'<option value="{current}" selected>' in response.text
    assert "<script>" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_home_of_the_association_links_to_its_dashboard(client, staff):
    client.force_login(staff.user)
    page = client.get(reverse("ui:home_association")).text
    assert reverse("follow_up:association_dashboard", args=[staff.association.pk]) in page


def test_the_csv_reads_back(client, staff):
    year = held_sessions(staff.association, 2)
    board.association_target_set(
        association=staff.association,
        school_year=year,
        sessions=8,
        pupils=10,
        priority_pupils_share=50,
        professionals=1,
        by=staff.user,
    )
    client.force_login(staff.user)
    response = client.get(dashboard_url(staff.association, year, "follow_up:association_export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"{year}-{year + 1}.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Tableau de bord", "Les Entrepreneurs du quartier"]
    assert rows[1] == ["Année scolaire", f"{year}-{year + 1}"]
    as_dict = {}
    for row in rows:
        if row:
            as_dict.setdefault(row[0], row[1:])  # the key figure first: the targets repeat some labels
    assert as_dict["Séquences tenues"] == ["2"]
    assert as_dict["Élèves touchés"] == ["4"]
    assert as_dict["Part des élèves de l'éducation prioritaire"] == ["100,0", "50", "200,0"]
    assert as_dict["REP+"] == ["4", "100,0"]
    assert as_dict["93 — Seine-Saint-Denis"] == ["4", "100,0"]
    assert as_dict["Santé"] == ["2", "4"]
    assert as_dict["Séquences — présents"] == ["1"]
    assert as_dict["Séquences — présence non relevée"] == ["5"]
    assert as_dict["Séquences — élèves"][:2] == ["0", ""]


def test_the_page_query_count_does_not_grow_with_the_sessions(client):
    small = factories.AssociationMembershipFactory()
    large = factories.AssociationMembershipFactory()
    small_year = held_sessions(small.association, 2, pupils=2)
    large_year = held_sessions(large.association, 10, pupils=2)
    counts = []
    for membership, year in ((small, small_year), (large, large_year)):
        client.force_login(membership.user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard_url(membership.association, year)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("url_name", sorted(access_association.ACCESS))
def test_access(client, world, url_name, monkeypatch):
    """The rules the lead merges into tests/test_permissions.py, checked with its own machinery meanwhile."""
    rule = access_association.ACCESS[url_name]
    monkeypatch.setitem(permissions.ACCESS, url_name, rule)
    got = {role: permissions.reach(client, world, url_name, role) for role in ROLES}
    assert got == {role: rule.expected(role) for role in ROLES}
