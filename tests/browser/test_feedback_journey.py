"""Feedback in Debian's Chromium, with the keyboard only: a pupil whose class attended a discovery session that has
ended opens "Tes avis", reaches the questionnaire, answers it with Tab, the arrow keys, Space and Enter, and sees the
thanks. axe-core finds nothing on any page reached (the session's page with its "Donne ton avis" callout too)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from backend.follow_up.models import FeedbackAnswer
from scheduling.enums import SessionBookingStatus
from tests import factories
from tests.browser_support import log_in
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory

pytestmark = pytest.mark.browser

# What has the focus: its tag, its type, its value, its text.
FOCUSED = """(() => {
  const element = document.activeElement;
  return [element.tagName, element.type || "", element.value || "", element.textContent.trim()];
})()"""


def focused(page: Page) -> list[str]:
    return page.evaluate(FOCUSED)


def tab_until(page: Page, matches, limit: int = 60) -> list[str]:
    """Presses Tab until the focused element matches; fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"never reached by Tab; last focused: {focused(page)}")


def test_a_pupil_gives_her_opinion_with_the_keyboard(ui):
    page = ui.page
    school_class = factories.SchoolClassFactory(name="3e B")
    teacher = factories.SchoolStaffFactory(school=school_class.school).user
    school_class.teachers.add(teacher)
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil
    ends_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
    session = DiscoverySessionFactory(
        title="Les métiers du soin",
        professionals=[factories.OrganisationMembershipFactory(professional=True).user],
        starts_at=ends_at - datetime.timedelta(hours=1),
        ends_at=ends_at,
    )
    SessionBookingFactory(
        session=session, school_class=school_class, booked_by=teacher, status=SessionBookingStatus.CONFIRMED
    )

    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    # The session's page invites her too (checked by axe with its callout).
    ui.goto(reverse("scheduling:session_detail", args=[session.pk]))
    expect(page.locator("#feedback-link")).to_contain_text("Donne ton avis")
    ui.goto("/avis/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tes avis")
    expect(page.locator("main")).to_contain_text("Les métiers du soin")

    # The link to the questionnaire, reached and followed with the keyboard.
    tab_until(page, lambda element: element[0] == "A" and element[3].startswith("Donner mon avis"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ton avis")
    ui.check()

    # Satisfaction: Tab into the group, Space ticks the first answer, the arrow keys move to "Plutôt satisfait(e)".
    tab_until(page, lambda element: element[0] == "INPUT" and element[1] == "radio")
    assert focused(page)[2] == "1"
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Plutôt satisfait(e)")).to_be_checked()
    # "Did it help you choose?": the next group, "Un peu".
    page.keyboard.press("Tab")
    assert focused(page)[:3] == ["INPUT", "radio", "yes"]
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Un peu")).to_be_checked()
    # Then the button, and Enter.
    page.keyboard.press("Tab")
    assert focused(page)[0] == "BUTTON"
    assert focused(page)[3] == "Envoyer mon avis"
    page.keyboard.press("Enter")

    expect(page.get_by_text("Merci pour ton avis !")).to_be_visible()
    expect(page).to_have_url(ui.url("/avis/"))
    expect(page.locator("main")).to_contain_text("Plutôt satisfait(e) (4 sur 5)")
    ui.check()
    answer = FeedbackAnswer.objects.get()
    assert (answer.respondent, answer.session, answer.satisfaction, answer.helped_choose) == (
        pupil,
        session,
        4,
        "a_little",
    )
