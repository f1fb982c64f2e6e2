"""The school head's follow-up: each class's pupils with a confirmed internship (before the class's week), the
agreements to sign, the progress state; her school only; a query count that does not grow with the classes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.follow_up import school_follow_up as selectors
from backend.offers import agreements
from backend.offers import applications as application_services
from backend.offers.enums import AgreementParty
from backend.offers.models import OfferWeek
from backend.schools.enums import Level
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def place(world, pupil, *, week_start):
    """Confirm an internship of `pupil` for the week starting `week_start` (an offer of its own)."""
    offer = factories.OfferFactory(organisation=world["organisation"], weeks=[week_start])
    application = factories.ApplicationFactory(offer=offer, pupil=pupil)
    week = OfferWeek.objects.get(offer=offer)
    application_services.application_accept(application=application, by=world["users"]["employer"], week=week)
    return application_services.application_confirm(application=application, pupil=pupil)


@pytest.fixture
def school(world):
    """The world's class (2 pupils) with its week on 18 January 2027; a second 3e class of 3 pupils without a week;
    a 4e class (no internship); an archived class (not shown)."""
    school = world["school"]
    first = world["school_class"]
    first.internship_week = datetime.date(2027, 1, 18)
    first.save()
    pupils = [world["users"]["pupil"], world["users"]["pupil_pending"]]
    second = factories.SchoolClassFactory(school=school, name="3e Z")
    others = [factories.EnrolmentFactory(school_class=second).pupil for _ in range(3)]
    factories.EnrolmentFactory(
        school_class=factories.SchoolClassFactory(school=school, name="4e A", level=Level.QUATRIEME)
    )
    factories.SchoolClassFactory(
        school=school, name="3e ancienne", archived_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    )
    return {"first": first, "second": second, "pupils": pupils, "others": others}


def test_figures_of_each_class(world, school):
    monday = factories.next_monday(6)
    in_time = place(world, school["pupils"][0], week_start=datetime.date(2027, 1, 11))
    place(world, school["others"][0], week_start=monday)
    place(world, school["others"][1], week_start=monday)
    agreements.agreement_sign(agreement=in_time.agreement, party=AgreementParty.HOST, by=world["users"]["employer"])
    rows = {row.school_class.name: row for row in selectors.school_classes_progress(world["school"], today=TODAY)}
    assert sorted(rows) == sorted(["3e Z", "4e A", world["school_class"].name])
    first = rows[world["school_class"].name]
    assert (first.pupils, first.placed, first.placed_before_week, first.share) == (2, 1, 1, 50)
    assert (first.agreements_to_sign, first.agreements_signed) == (1, 0)
    assert first.progress == selectors.Progress.ON_TRACK
    assert first.days_left == 49
    second = rows["3e Z"]
    assert (second.pupils, second.placed, second.placed_before_week, second.share) == (3, 2, None, 66)
    assert second.progress == selectors.Progress.NO_WEEK
    assert rows["4e A"].progress == selectors.Progress.NO_INTERNSHIP
    summary = selectors.school_summary(world["school"], list(rows.values()))
    assert (summary["pupils"], summary["placed"], summary["share"]) == (5, 3, 60)
    assert (summary["agreements_to_sign"], summary["agreements_head_missing"], summary["agreements_signed"]) == (
        3,
        3,
        0,
    )


def test_a_placement_after_the_class_week_does_not_count_before_it(world, school):
    place(world, school["pupils"][0], week_start=datetime.date(2027, 1, 25))
    row = selectors.school_classes_progress(world["school"], today=TODAY)[0]
    assert (row.placed, row.placed_before_week) == (1, 0)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (datetime.date(2027, 1, 4), selectors.Progress.LATE),  # 14 days before
        (datetime.date(2027, 1, 3), selectors.Progress.ON_TRACK),  # 15 days before
        (datetime.date(2027, 2, 1), selectors.Progress.LATE),  # the week has passed
    ],
)
def test_a_class_is_late_within_two_weeks_of_its_week(world, school, today, state):
    row = next(
        row
        for row in selectors.school_classes_progress(world["school"], today=today)
        if row.school_class == school["first"]
    )
    assert row.progress == state


def test_a_class_where_everyone_is_placed_is_done(world, school):
    for pupil in school["pupils"]:
        place(world, pupil, week_start=datetime.date(2027, 1, 11))
    row = next(
        row
        for row in selectors.school_classes_progress(world["school"], today=TODAY)
        if row.school_class == school["first"]
    )
    assert row.progress == selectors.Progress.DONE
    assert row.share == 100


def test_a_withdrawn_internship_no_longer_counts(world, school):
    application = place(world, school["pupils"][0], week_start=datetime.date(2027, 1, 11))
    application_services.application_withdraw(application=application, pupil=application.pupil)
    row = next(
        row
        for row in selectors.school_classes_progress(world["school"], today=TODAY)
        if row.school_class == school["first"]
    )
    assert (row.placed, row.agreements_to_sign) == (0, 0)


def test_the_page_for_the_head(world, school, client):
    place(world, school["pupils"][0], week_start=datetime.date(2027, 1, 11))
    client.force_login(world["users"]["school_head"])
    response = client.get(reverse("follow_up:school_follow_up", args=[world["school"].uai]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 élève sur 5 a un stage confirmé" in page
    assert 'role="img"' in page  # the chart, with its table
    assert "Voir les données du graphique" in page
    assert reverse("follow_up:class_follow_up", args=[school["first"].pk]) in page
    assert reverse("schools:class_internship_week", args=[school["second"].pk]) in page
    assert "3e ancienne" not in page


@pytest.mark.parametrize("role", ["teacher", "employer", "association_staff", "pupil", "no_role"])
def test_others_get_a_404(world, role, client):
    client.force_login(world["users"][role])
    assert client.get(reverse("follow_up:school_follow_up", args=[world["school"].uai])).status_code == 404


def test_a_head_of_another_school_gets_a_404(world, client):
    client.force_login(factories.SchoolStaffFactory(head=True).user)
    assert client.get(reverse("follow_up:school_follow_up", args=[world["school"].uai])).status_code == 404


def test_an_unknown_uai_is_a_404(world, client):
    client.force_login(world["users"]["platform_staff"])
    assert client.get(reverse("follow_up:school_follow_up", args=["NOPE"])).status_code == 404


def test_the_query_count_does_not_grow_with_the_classes(world, client):
    client.force_login(world["users"]["school_head"])
    url = reverse("follow_up:school_follow_up", args=[world["school"].uai])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(6):
        school_class = factories.SchoolClassFactory(school=world["school"], name=f"3e N{number}")
        for _ in range(3):
            place(
                world, factories.EnrolmentFactory(school_class=school_class).pupil, week_start=factories.next_monday(6)
            )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
