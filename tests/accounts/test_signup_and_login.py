import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse

from backend.accounts.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP = {
    "first_name": "Camille",
    "last_name": "Durand",
    "email": "Camille.Durand@Example.org",
    "password1": "Une-phrase-de-passe-47",
    "password2": "Une-phrase-de-passe-47",
    "time_zone": "Indian/Reunion",
    "accept_terms": "on",
}


def verification_link(message) -> str:
    return re.search(r"https?://\S+/inscription/confirmer/\S+/", message.body).group(0)


@pytest.mark.django_db
def test_an_adult_signs_up_confirms_her_email_and_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get()
    assert user.email == "camille.durand@example.org"
    assert user.username == user.email
    assert user.time_zone == "Indian/Reunion"
    assert user.email_verified_at is None

    # Before confirming, she cannot sign in, and is told why.
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": SIGNUP["password1"]})
    assert response.status_code == 200
    assert "confirmer votre adresse e-mail" in response.content.decode()

    assert len(mail.outbox) == 1
    link = verification_link(mail.outbox[0])
    response = client.get(urlparse(link).path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None

    response = client.post(
        reverse("accounts:login"), {"username": "CAMILLE.durand@example.org ", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:home")
    # No role yet: the home page helps her choose one.
    response = client.get(reverse("ui:home"))
    assert response.status_code == 200
    assert "Je travaille dans un établissement scolaire" in response.content.decode()


@pytest.mark.django_db
def test_an_email_already_used_is_refused_and_nothing_is_created(client):
    UserFactory(email="camille.durand@example.org")
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "autre-chose-123"}, "Les deux mots de passe ne sont pas identiques"),
        ({"password1": "12345678", "password2": "12345678"}, "entièrement numérique"),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide"),
        ({"accept_terms": ""}, "Ce champ est obligatoire"),
        ({"time_zone": "Mars/Olympus"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_signup_input_gets_a_clear_french_message(client, changes, message):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["n-importe-quoi", "eyJ1c2VyIjo5OTl9:1abc:def"])
def test_a_bad_verification_link_is_refused(client, token):
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "Ce lien n&#x27;est pas valide" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_verification_link_is_refused(client, settings, monkeypatch):
    from backend.accounts import services

    user = UserFactory(email_verified_at=None)
    token = services.email_verification_token(user)
    monkeypatch.setattr(services, "EMAIL_VERIFICATION_MAX_AGE", -1)
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "Ce lien a expiré" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


@pytest.mark.django_db
def test_resending_the_link_says_the_same_whether_or_not_the_address_exists(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="attente@example.org", email_verified_at=None)
    for email in ("attente@example.org", "inconnue@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:resend_verification"), {"email": email}, follow=True)
        assert "Si un compte attend une confirmation" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["attente@example.org"]


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_for_a_while(client):
    user = UserFactory(email="cible@example.org")
    for _attempt in range(4):
        response = client.post(reverse("accounts:login"), {"username": user.email, "password": "faux"})
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    # The fifth failure locks the identifier for this address; even the right password is refused now.
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "faux"})
    assert response.status_code == 429
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Connexion bloquée temporairement" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_adult_resets_a_forgotten_password_by_email(client):
    user = UserFactory(email="oubli@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "oubli@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"/mot-de-passe-oublie/\S+/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Nouveau-secret-2026", "new_password2": "Nouveau-secret-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nouveau-secret-2026")


@pytest.mark.django_db
def test_profile_update_keeps_the_username_in_step_with_nothing_else(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "Léa", "last_name": "Martin", "time_zone": "America/Cayenne"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.time_zone) == ("Léa", "America/Cayenne")


@pytest.mark.django_db
def test_a_pupil_cannot_become_a_tutor(client):
    pupil = UserFactory(pupil=True)
    client.force_login(pupil)
    assert client.post(reverse("accounts:tutor_become"), {"presentation": "Je veux aider"}).status_code == 403
    assert not hasattr(pupil, "tutor_profile")
