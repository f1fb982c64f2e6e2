import pytest
from django.urls import reverse

from backend.accounts.enums import ConsentStatus, MembershipStatus
from backend.schools.enums import SchoolKind
from backend.schools.models import SchoolClass
from backend.schools.services import current_school_year
from tests import factories

pytestmark = pytest.mark.django_db


def class_data(school, **changes):
    return {
        "school": school.pk,
        "name": "3e A",
        "level": "3e",
        "specialty": "",
        "school_year": current_school_year(),
        **changes,
    }


def test_a_confirmed_teacher_creates_a_class_with_a_join_code(client):
    membership = factories.SchoolStaffFactory()
    client.force_login(membership.user)
    response = client.post(reverse("schools:class_create"), class_data(membership.school))
    school_class = SchoolClass.objects.get()
    assert response["Location"] == reverse("schools:class_detail", args=[school_class.pk])
    assert len(school_class.join_code) == 8
    assert list(school_class.teachers.all()) == [membership.user]
    page = client.get(response["Location"]).content.decode()
    assert school_class.join_code in page


def test_a_pending_teacher_cannot_create_a_class(client):
    membership = factories.SchoolStaffFactory(pending=True)
    client.force_login(membership.user)
    assert client.get(reverse("schools:class_create")).status_code == 403


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        (SchoolKind.COLLEGE, {"level": "2nde_pro", "specialty": "MELEC"}, "Ce niveau n&#x27;existe pas"),
        (SchoolKind.LYCEE_PRO, {"level": "2nde_pro"}, "Indiquez la spécialité"),
        (SchoolKind.COLLEGE, {"school_year": 1999}, "Sélectionnez un choix valide"),
        (SchoolKind.COLLEGE, {"name": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_class_input_is_refused(client, kind, changes, message):
    membership = factories.SchoolStaffFactory(school__kind=kind)
    client.force_login(membership.user)
    response = client.post(reverse("schools:class_create"), class_data(membership.school, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SchoolClass.objects.exists()


def test_a_lycee_pro_may_host_a_3e_prepa_metiers(client):
    membership = factories.SchoolStaffFactory(school__kind=SchoolKind.LYCEE_PRO)
    client.force_login(membership.user)
    client.post(reverse("schools:class_create"), class_data(membership.school, level="3e_prepa_metiers"))
    assert SchoolClass.objects.get().level == "3e_prepa_metiers"


def test_two_classes_of_a_school_cannot_share_a_name_in_a_year(client):
    membership = factories.SchoolStaffFactory()
    client.force_login(membership.user)
    client.post(reverse("schools:class_create"), class_data(membership.school))
    response = client.post(reverse("schools:class_create"), class_data(membership.school, name="3E a"))
    assert "Une classe porte déjà ce nom" in response.content.decode()
    assert SchoolClass.objects.count() == 1


def test_a_teacher_records_a_guardians_consent(client, world):
    teacher, pupil = world["users"]["teacher"], world["users"]["pupil_pending"]
    client.force_login(teacher)
    response = client.post(reverse("schools:pupil_consent", args=[world["school_class"].pk, pupil.pk]))
    assert response.status_code == 302
    pupil.pupil_profile.refresh_from_db()
    assert pupil.pupil_profile.consent_status == ConsentStatus.RECEIVED
    assert pupil.pupil_profile.consent_recorded_by == teacher
    # Recording twice changes nothing and says so.
    response = client.post(reverse("schools:pupil_consent", args=[world["school_class"].pk, pupil.pk]), follow=True)
    assert "n&#x27;est pas attendu" in response.content.decode()


def test_a_teacher_of_another_school_cannot_touch_the_class(client, world):
    outsider = factories.SchoolStaffFactory().user
    client.force_login(outsider)
    pupil = world["users"]["pupil_pending"]
    assert client.post(reverse("schools:pupil_consent", args=[world["school_class"].pk, pupil.pk])).status_code == 403
    pupil.pupil_profile.refresh_from_db()
    assert pupil.pupil_profile.consent_status == ConsentStatus.PENDING


def test_a_teacher_gives_a_pupil_a_temporary_password_that_must_be_changed(client, world):
    teacher, pupil = world["users"]["teacher"], world["users"]["pupil"]
    client.force_login(teacher)
    response = client.post(reverse("schools:pupil_password_reset", args=[world["school_class"].pk, pupil.pk]))
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    client.logout()

    response = client.post(reverse("accounts:login"), {"username": pupil.username, "password": password})
    assert response.status_code == 302
    response = client.get(reverse("ui:home_pupil"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "Mon-nouveau-secret-8", "new_password2": "Mon-nouveau-secret-8"},
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert not pupil.must_change_password
    assert client.get(reverse("ui:home_pupil")).status_code == 200


def test_a_pupil_of_another_class_is_not_found(client, world):
    client.force_login(world["users"]["teacher"])
    stranger = factories.EnrolmentFactory().pupil
    url = reverse("schools:pupil_password_reset", args=[world["school_class"].pk, stranger.pk])
    assert client.post(url).status_code == 404


def test_the_head_confirms_a_teacher_of_her_school(client, world):
    client.force_login(world["users"]["school_head"])
    membership = world["pending_teacher"]
    url = reverse("schools:team_decide", args=[world["school"].uai, membership.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CONFIRMED
    assert membership.confirmed_by == world["users"]["school_head"]


def test_a_teacher_cannot_confirm_colleagues(client, world):
    client.force_login(world["users"]["teacher"])
    membership = world["pending_teacher"]
    url = reverse("schools:team_decide", args=[world["school"].uai, membership.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_an_adult_asks_to_join_a_school_by_uai(client, world):
    adult = factories.UserFactory()
    client.force_login(adult)
    for uai, message in [
        ("0750655F", "lettre de contrôle"),
        ("12", "7 chiffres suivis d&#x27;une lettre"),
        ("0750655E", "pas encore inscrit sur Passerelle"),
    ]:
        response = client.post(reverse("schools:join_request"), {"uai": uai, "role": "teacher"})
        assert message in response.content.decode()
    response = client.post(reverse("schools:join_request"), {"uai": world["school"].uai.lower(), "role": "teacher"})
    assert response.status_code == 302
    assert adult.school_memberships.get().status == MembershipStatus.PENDING
    response = client.post(reverse("schools:join_request"), {"uai": world["school"].uai, "role": "teacher"})
    assert "déjà demandé" in response.content.decode()


def test_teacher_home_lists_only_her_classes_with_counts(client, world):
    other_class = factories.SchoolClassFactory(school=world["school"])
    client.force_login(world["users"]["teacher"])
    page = client.get(reverse("ui:home_teacher")).content.decode()
    assert world["school_class"].name in page
    assert f">{other_class.name}<" not in page
