import datetime

import pytest

from backend.accounts.enums import ConsentStatus, Role
from backend.accounts.models import PupilProfile
from backend.accounts.roles import user_roles
from backend.accounts.services import consent_status_for, pupil_identifier
from tests import factories


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (datetime.date(2012, 3, 1), datetime.date(2027, 2, 28), 14),
        (datetime.date(2012, 3, 1), datetime.date(2027, 3, 1), 15),
        (datetime.date(2012, 2, 29), datetime.date(2027, 2, 28), 14),
        (datetime.date(2012, 2, 29), datetime.date(2027, 3, 1), 15),
    ],
)
def test_age_counts_whole_years_including_leap_days(birth, today, age):
    assert PupilProfile.age_on(birth, today) == age


def test_a_pupil_under_15_waits_for_her_guardians_consent():
    today = datetime.date(2026, 11, 28)
    assert consent_status_for(datetime.date(2011, 11, 29), today) == ConsentStatus.PENDING
    assert consent_status_for(datetime.date(2011, 11, 28), today) == ConsentStatus.NOT_REQUIRED


@pytest.mark.django_db
def test_pupils_are_shown_by_first_name_and_initial_adults_by_full_name():
    pupil = factories.UserFactory(pupil=True, first_name="Inès", last_name="benali")
    adult = factories.UserFactory(first_name="Julien", last_name="Moreau")
    assert pupil.display_name == "Inès B."
    assert str(pupil) == "Inès B."
    assert adult.display_name == "Julien Moreau"


@pytest.mark.django_db
def test_pupil_identifiers_are_ascii_and_unique():
    first = pupil_identifier("Zoé-Anne", "Ébrard")
    assert first.startswith("zoeanne.e")
    assert first[-4:].isdigit()
    factories.UserFactory(pupil=True, username=first)
    assert pupil_identifier("Zoé-Anne", "Ébrard") != first


@pytest.mark.django_db
def test_one_person_holds_several_roles_in_landing_order(world):
    teacher = world["users"]["teacher"]
    factories.TutorProfileFactory(user=teacher)
    factories.OrganisationMembershipFactory(user=teacher, professional=True)
    assert user_roles(teacher) == [Role.TEACHER, Role.PROFESSIONAL, Role.TUTOR]


@pytest.mark.django_db
def test_pending_memberships_give_no_role(world):
    assert user_roles(world["pending_teacher"].user) == []
    assert user_roles(world["pending_org_member"].user) == []
