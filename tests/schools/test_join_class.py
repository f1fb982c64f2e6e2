import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.accounts.enums import ConsentStatus
from backend.accounts.models import User
from backend.schools.models import Enrolment
from backend.schools.services import JOIN_ATTEMPTS_PER_HOUR
from tests import factories


def details(age_years=14, **changes):
    birth = timezone.localdate() - datetime.timedelta(days=int(age_years * 365.25) + 10)
    data = {
        "first_name": "Inès",
        "last_name": "Benali",
        "birth_date": birth.isoformat(),
        "password1": "Mon-code-secret-9",
        "password2": "Mon-code-secret-9",
        "time_zone": "Europe/Paris",
    }
    return {**data, **changes}


@pytest.fixture
def school_class(db):
    return factories.SchoolClassFactory(join_code="K7MP3QXA")


def test_a_pupil_joins_her_class_with_the_code(client, school_class):
    response = client.post(reverse("schools:join"), {"code": " k7mp 3qxa "})
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:join_details")
    response = client.get(reverse("schools:join_details"))
    assert school_class.name in response.content.decode()

    response = client.post(reverse("schools:join_details"), details())
    assert response.status_code == 302
    pupil = User.objects.get(first_name="Inès")
    assert pupil.email == ""
    assert pupil.username.startswith("ines.b")
    assert pupil.pupil_profile.consent_status == ConsentStatus.PENDING
    assert Enrolment.objects.get(pupil=pupil).school_class == school_class
    # She is signed in and sees her identifier once.
    response = client.get(reverse("ui:home"), follow=True)
    page = response.content.decode()
    assert pupil.username in page
    assert "En attente de l'accord de ton représentant légal" in page


def test_a_pupil_of_15_needs_no_consent(client, school_class):
    client.post(reverse("schools:join"), {"code": "K7MP3QXA"})
    client.post(reverse("schools:join_details"), details(age_years=15.2))
    assert User.objects.get().pupil_profile.consent_status == ConsentStatus.NOT_REQUIRED


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZZZZZ", "Ce code ne correspond à aucune classe"),
        ("", "Ce champ est obligatoire"),
    ],
)
def test_a_wrong_code_is_refused(client, school_class, code, message):
    response = client.post(reverse("schools:join"), {"code": code})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "join_class" not in client.session


def test_a_rotated_code_stops_working_at_once(client, school_class):
    teacher = factories.SchoolStaffFactory(school=school_class.school).user
    school_class.teachers.add(teacher)
    old_code = school_class.join_code
    client.force_login(teacher)
    client.post(reverse("schools:class_join_code", args=[school_class.pk]), {"action": "rotate"})
    client.logout()
    school_class.refresh_from_db()
    assert school_class.join_code != old_code
    response = client.post(reverse("schools:join"), {"code": old_code})
    assert "Ce code ne correspond à aucune classe" in response.content.decode()
    assert client.post(reverse("schools:join"), {"code": school_class.join_code}).status_code == 302


def test_a_disabled_code_is_refused_with_its_reason(client, school_class):
    school_class.join_code_enabled = False
    school_class.save()
    response = client.post(reverse("schools:join"), {"code": "K7MP3QXA"})
    assert "Les inscriptions dans cette classe sont fermées" in response.content.decode()


def test_a_code_rotated_between_the_two_steps_creates_nothing(client, school_class):
    client.post(reverse("schools:join"), {"code": "K7MP3QXA"})
    school_class.join_code = "NEWC0DE9"
    school_class.save()
    response = client.post(reverse("schools:join_details"), details(), follow=True)
    assert "Le code de la classe a changé" in response.content.decode()
    assert not User.objects.exists()


def test_bad_details_create_nothing(client, school_class):
    client.post(reverse("schools:join"), {"code": "K7MP3QXA"})
    for bad, message in [
        ({"birth_date": "2031-01-01"}, "Vérifie ta date de naissance"),
        ({"birth_date": "pas une date"}, "Saisissez une date valide"),
        ({"password2": "different-9999"}, "Les deux mots de passe ne sont pas identiques"),
        ({"first_name": ""}, "Ce champ est obligatoire"),
    ]:
        response = client.post(reverse("schools:join_details"), details(**bad))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not User.objects.exists()


def test_guessing_codes_is_limited(client, school_class):
    for _attempt in range(JOIN_ATTEMPTS_PER_HOUR):
        client.post(reverse("schools:join"), {"code": "AAAAAAAA"})
    response = client.post(reverse("schools:join"), {"code": "K7MP3QXA"})
    assert "Trop de codes essayés" in response.content.decode()


def test_a_signed_in_person_cannot_join_again(client, school_class):
    client.force_login(factories.UserFactory(pupil=True))
    assert client.post(reverse("schools:join"), {"code": "K7MP3QXA"}).status_code == 302
    assert Enrolment.objects.count() == 0
