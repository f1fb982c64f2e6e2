import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_french_is_the_default_whatever_the_browser_asks(client):
    response = client.get(reverse("ui:welcome"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_keeps_english_until_switched_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("ui:legal")})
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:legal")
    page = client.get(reverse("ui:legal")).content.decode()
    assert '<html lang="en"' in page
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get(reverse("ui:legal")).content.decode()


@pytest.mark.django_db
def test_an_unknown_language_falls_back_to_french(client):
    client.cookies["django_language"] = "xx"
    assert '<html lang="fr"' in client.get(reverse("ui:welcome")).content.decode()
