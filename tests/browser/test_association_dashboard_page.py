"""The association dashboard in Debian's Chromium: a staff member opens it from her home, picks last school year,
sets that year's targets and reads them against what the association achieved. axe-core finds nothing on any page
reached."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.follow_up import association_dashboard as board
from backend.follow_up.models import AssociationTarget
from tests import factories
from tests.browser_support import log_in
from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory

pytestmark = pytest.mark.browser


def test_the_staff_sets_a_target_and_sees_it_against_the_achievement(ui):
    page = ui.page
    staff = factories.AssociationMembershipFactory(association__name="Les Entrepreneurs du quartier").user
    association = staff.association_memberships.get().association
    # Last school year (whatever today's date, it has ended): two sessions, each with a class of 3 pupils booked.
    year = board.school_year_of(timezone.now()) - 1
    ends_at = board.school_year_bounds(year)[0] + datetime.timedelta(days=40, hours=12)
    for index in range(2):
        school_class = factories.SchoolClassFactory(name=f"3e {'AB'[index]}")
        for _ in range(3):
            factories.EnrolmentFactory(school_class=school_class)
        session = DiscoverySessionFactory(
            association=association,
            professionals=[factories.OrganisationMembershipFactory(professional=True).user],
            starts_at=ends_at - datetime.timedelta(days=index, hours=1),
            ends_at=ends_at - datetime.timedelta(days=index),
        )
        SessionBookingFactory(session=session, school_class=school_class, status="confirmed")

    log_in(ui, staff.email, factories.PASSWORD, lands_on="/espace/association/")
    page.get_by_role("link", name="Tableau de bord et objectifs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord de Les Entrepreneurs du quartier")
    ui.check()

    # Last year, chosen in the select.
    page.get_by_label("Année scolaire", exact=True).select_option(str(year))
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("main")).to_contain_text(f"Année scolaire {board.school_year_label(year)}")
    expect(
        page.get_by_role("table", name="Présence aux séquences tenues et aux rendez-vous de tutorat")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Aucun objectif n'est fixé")
    ui.check()

    page.get_by_role("link", name=f"Fixer les objectifs {board.school_year_label(year)}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Objectifs de Les Entrepreneurs du quartier")
    ui.check()
    # A bad value first: refused, said so, nothing written.
    page.get_by_label(re.compile(r"^\s*Séquences tenues")).fill("-3")
    page.get_by_label(re.compile(r"^\s*Élèves touchés")).fill("12")
    page.get_by_label(re.compile(r"^\s*Professionnels mobilisés")).fill("4")
    page.get_by_role("button", name="Enregistrer les objectifs").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    assert not AssociationTarget.objects.exists()
    ui.check()
    page.get_by_label(re.compile(r"^\s*Séquences tenues")).fill("4")
    page.get_by_label(re.compile(r"^\s*Part des élèves de l'éducation prioritaire")).fill("80")
    page.get_by_role("button", name="Enregistrer les objectifs").click()

    expect(
        page.get_by_text(f"Les objectifs de l'année {board.school_year_label(year)} sont enregistrés.")
    ).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Séquences tenues : 2 sur 4 (50,0 % de l'objectif)")
    expect(main).to_contain_text("Élèves touchés : 6 sur 12 (50,0 % de l'objectif)")
    expect(main).to_contain_text("Professionnels mobilisés : 2 sur 4 (50,0 % de l'objectif)")
    expect(page.get_by_role("progressbar").first).to_have_attribute("value", "2")
    ui.check()
    target = AssociationTarget.objects.get()
    assert (target.school_year, target.sessions, target.pupils, target.priority_pupils_share) == (year, 4, 12, 80)
