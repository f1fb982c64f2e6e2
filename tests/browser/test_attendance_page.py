"""Taking the roll in Debian's Chromium: a teacher whose class is at a discovery session that has started finds
"Faire l'appel" on the session's page, sees the pupil who joined the live room already ticked, ticks another with
the keyboard only (Tab to the checkbox, Space), saves, and reads "2 présents sur 3" there and back on the session's
page. axe-core finds nothing on any page reached."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import attendance
from scheduling.enums import SessionBookingStatus
from scheduling.models import SessionAttendance
from tests import factories
from tests.browser_support import focus_with_tab, log_in, tick
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory

pytestmark = pytest.mark.browser


def test_a_teacher_takes_the_roll_of_her_class(ui):
    page = ui.page
    school_class = factories.SchoolClassFactory(name="3e B")
    teacher = factories.SchoolStaffFactory(school=school_class.school).user
    school_class.teachers.add(teacher)
    ines, malik, lea = (
        factories.EnrolmentFactory(school_class=school_class, pupil__first_name=first, pupil__last_name=last).pupil
        for first, last in (("Inès", "Benali"), ("Malik", "Diallo"), ("Léa", "Martin"))
    )
    starts_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=20)
    session = DiscoverySessionFactory(
        title="Les métiers de la logistique",
        professionals=[factories.OrganisationMembershipFactory(professional=True).user],
        starts_at=starts_at,
    )
    booking = SessionBookingFactory(
        session=session, school_class=school_class, booked_by=teacher, status=SessionBookingStatus.CONFIRMED
    )
    attendance.attendance_from_room_join(session=session, pupil=ines)

    log_in(ui, teacher.email, factories.PASSWORD, lands_on="/espace/enseignant/")
    ui.goto(reverse("scheduling:session_detail", args=[session.pk]))
    expect(page.locator("#attendance-link")).to_contain_text("Faire l'appel")
    page.locator("#attendance-link").get_by_role("link", name="Faire l'appel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Présences")
    ui.check()
    expect(page.get_by_role("group", name="Classe 3e B")).to_be_visible()
    # Inès joined the live room: already ticked. Surnames never appear.
    expect(page.get_by_label("Inès B. : présent·e")).to_be_checked()
    expect(page.get_by_label("Malik D. : présent·e")).not_to_be_checked()
    expect(page.locator("main")).not_to_contain_text("Benali")

    # Malik, with the keyboard only: Tab until his checkbox has the focus, Space ticks it.
    checkbox = f"#present-{booking.pk}-{malik.pk}"
    focus_with_tab(page, checkbox)
    page.keyboard.press("Space")
    expect(page.locator(checkbox)).to_be_checked()
    # Léa, with the mouse, ticked then unticked: absent.
    tick(page, "Léa M.")
    tick(page, "Léa M.")
    expect(page.get_by_label("Léa M. : présent·e")).not_to_be_checked()
    page.get_by_role("button", name="Enregistrer l'appel").click()

    expect(page.get_by_role("status")).to_contain_text("L'appel est enregistré : 2 présents sur 3.")
    expect(page.locator("#attendance-total")).to_have_text("2 présents sur 3")
    ui.check()
    assert {(row.pupil_id, row.present, row.source) for row in SessionAttendance.objects.all()} == {
        (ines.pk, True, "roll_call"),
        (malik.pk, True, "roll_call"),
        (lea.pk, False, "roll_call"),
    }

    ui.goto(reverse("scheduling:session_detail", args=[session.pk]))
    expect(page.locator("#attendance-link")).to_contain_text("2 présents sur 3")
    ui.assert_clean()
