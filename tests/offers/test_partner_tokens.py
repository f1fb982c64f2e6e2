"""Partner API tokens: made by an association's staff, shown once, stored hashed, revoked at once."""

import hashlib
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from rest_framework.test import APIClient

from backend.organisations.models import PartnerToken
from backend.organisations.tokens import (
    PREFIX_LENGTH,
    partner_token_authenticate,
    partner_token_create,
    partner_token_revoke,
)
from tests import factories
from tests.browser_support import chromium, watched_page

LIST = reverse("api:partner-offer-list")


@pytest.fixture
def staff(db):
    return factories.AssociationMembershipFactory()


def page_url(association):
    return reverse("organisations:partner_tokens", kwargs={"pk": association.pk})


# --- Services ------------------------------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_never_as_its_secret(staff):
    token, secret = partner_token_create(association=staff.association, name="  Site web  ", by=staff.user)

    assert re.fullmatch(r"pas_[A-Za-z0-9_-]{43}", secret)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:PREFIX_LENGTH]
    assert token.name == "Site web"
    assert token.created_by == staff.user
    stored = PartnerToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in {str(value) for value in stored.values()}
    assert all(secret[PREFIX_LENGTH:] not in str(value) for value in stored.values())


def test_authenticate_finds_the_active_token_only(staff):
    token, secret = partner_token_create(association=staff.association, name="Site", by=staff.user)

    assert partner_token_authenticate(secret=secret) == token
    assert partner_token_authenticate(secret=secret[:-1]) is None
    assert partner_token_authenticate(secret="") is None
    assert partner_token_authenticate(secret=token.key_hash) is None  # the hash is no key

    partner_token_revoke(token=token, by=staff.user)

    assert partner_token_authenticate(secret=secret) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == staff.user


def test_two_tokens_have_different_prefixes_and_revoking_one_leaves_the_other(staff):
    first, first_secret = partner_token_create(association=staff.association, name="Un", by=staff.user)
    second, second_secret = partner_token_create(association=staff.association, name="Deux", by=staff.user)
    assert first.prefix != second.prefix

    partner_token_revoke(token=first, by=staff.user)
    partner_token_revoke(token=first, by=None)  # twice: nothing changes

    first.refresh_from_db()
    assert first.revoked_by == staff.user
    assert partner_token_authenticate(secret=second_secret) == second
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first_secret}")
    assert client.get(LIST).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {second_secret}")
    assert client.get(LIST).status_code == 200


# --- Pages ---------------------------------------------------------------------------------------------------------


def test_staff_create_a_token_shown_once(client, staff):
    client.force_login(staff.user)

    response = client.post(page_url(staff.association), {"name": "Logiciel de suivi"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = PartnerToken.objects.get(association=staff.association)
    secret = re.search(r'value="(pas_[^"]+)"', response.content.decode())[1]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert partner_token_authenticate(secret=secret) == token

    again = client.get(page_url(staff.association)).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert "Logiciel de suivi" in again


def test_a_token_needs_a_name(client, staff):
    client.force_login(staff.user)

    response = client.post(page_url(staff.association), {"name": "   "})

    assert response.status_code == 200
    assert not PartnerToken.objects.exists()
    assert "fr-input-group--error" in response.content.decode() or "fr-error-text" in response.content.decode()


def test_staff_revoke_a_token_and_it_stops_at_once(client, staff):
    token, secret = partner_token_create(association=staff.association, name="Site", by=staff.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(LIST).status_code == 200
    client.force_login(staff.user)

    response = client.post(
        reverse("organisations:partner_token_revoke", kwargs={"pk": staff.association.pk, "token_pk": token.pk})
    )

    assert response.status_code == 302
    assert api.get(LIST).status_code == 401
    page = client.get(page_url(staff.association)).content.decode()
    assert "Révoqué" in page


def test_platform_staff_see_and_revoke_but_do_not_create(client, staff):
    token, _secret = partner_token_create(association=staff.association, name="Site", by=staff.user)
    platform = factories.UserFactory(staff=True)
    client.force_login(platform)

    page = client.get(page_url(staff.association))
    assert page.status_code == 200
    assert token.prefix in page.content.decode()
    assert "Créer le jeton" not in page.content.decode()
    assert client.post(page_url(staff.association), {"name": "Le mien"}).status_code == 403

    client.post(
        reverse("organisations:partner_token_revoke", kwargs={"pk": staff.association.pk, "token_pk": token.pk})
    )
    token.refresh_from_db()
    assert token.revoked_by == platform


def test_staff_of_another_association_can_do_nothing(client, staff):
    token, _secret = partner_token_create(association=staff.association, name="Site", by=staff.user)
    outsider = factories.AssociationMembershipFactory()
    pending = factories.AssociationMembershipFactory(association=staff.association, pending=True)
    revoke = reverse("organisations:partner_token_revoke", kwargs={"pk": staff.association.pk, "token_pk": token.pk})
    for person in (outsider.user, pending.user):
        client.force_login(person)
        assert client.get(page_url(staff.association)).status_code == 403
        assert client.post(page_url(staff.association), {"name": "Intrus"}).status_code == 403
        assert client.post(revoke).status_code == 403
    # A token of another association is not found under this one.
    client.force_login(outsider.user)
    wrong = reverse("organisations:partner_token_revoke", kwargs={"pk": outsider.association.pk, "token_pk": token.pk})
    assert client.post(wrong).status_code == 404
    token.refresh_from_db()
    assert token.is_active
    assert PartnerToken.objects.count() == 1


# --- In a browser ---------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_creating_and_revoking_a_token_in_a_browser(live_server, transactional_db):
    staff = factories.AssociationMembershipFactory(association__name="Les Déclics")
    tokens_page = page_url(staff.association)
    # No database query inside the browser's block: under Playwright's loop it would open a connection of its own.
    with chromium() as browser, watched_page(browser, live_server.url) as ui:
        page = ui.page
        ui.goto("/connexion/")
        page.get_by_label("Adresse e-mail ou identifiant d'élève").fill(staff.user.email)
        page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(factories.PASSWORD)
        page.get_by_role("button", name="Se connecter", exact=True).click()
        page.wait_for_load_state("load")
        ui.check()

        ui.goto(tokens_page)
        expect(page.get_by_role("heading", level=1)).to_have_text("API partenaire de Les Déclics")
        expect(page.get_by_text("Aucun jeton pour le moment.")).to_be_visible()

        page.get_by_label("Nom du jeton").fill("Logiciel de suivi")
        page.get_by_role("button", name="Créer le jeton").click()
        page.wait_for_load_state("load")
        secret_field = page.get_by_label("Votre jeton")
        expect(secret_field).to_be_visible()
        ui.check()
        secret = secret_field.input_value()
        row = page.get_by_role("row", name=re.compile("Logiciel de suivi"))
        expect(row).to_contain_text(secret[:PREFIX_LENGTH])
        expect(row).to_contain_text("Actif")

        page.get_by_role("button", name="Révoquer le jeton « Logiciel de suivi »").click()
        page.wait_for_load_state("load")
        expect(page.get_by_text("est révoqué : il ne fonctionne plus")).to_be_visible()
        expect(page.get_by_label("Votre jeton")).to_have_count(0)
        expect(page.get_by_role("row", name=re.compile("Logiciel de suivi"))).to_contain_text("Révoqué")
        ui.check()
        ui.assert_clean()

    token = PartnerToken.objects.get(association=staff.association)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.revoked_by == staff.user
    assert partner_token_authenticate(secret=secret) is None


def test_platform_staff_list_and_revoke_tokens_in_the_admin(client, staff):
    token, secret = partner_token_create(association=staff.association, name="Site", by=staff.user)
    platform = factories.UserFactory(staff=True, is_superuser=True)
    client.force_login(platform)

    listing = client.get(reverse("admin:organisations_partnertoken_changelist"))
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    assert (
        token.key_hash
        not in client.get(reverse("admin:organisations_partnertoken_change", args=[token.pk])).content.decode()
    )
    assert client.get(reverse("admin:organisations_partnertoken_add")).status_code == 403

    client.post(
        reverse("admin:organisations_partnertoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )

    assert partner_token_authenticate(secret=secret) is None
    token.refresh_from_db()
    assert token.revoked_by == platform
