"""What the partner API tests share: a valid payload and a client holding an association's token."""

import copy

from rest_framework.test import APIClient

from backend.offers.rules import default_schedule, iso_week
from backend.organisations.tokens import partner_token_create
from tests import factories

SIRET = factories.valid_siret(987_654)


def payload(**overrides) -> dict:
    """A valid offer: 3e observation in Saint-Denis, two weeks to come."""
    factories.CommuneFactory()  # Saint-Denis, 93066
    data = {
        "organisation": {"siret": SIRET, "name": "Électricité du Canal", "kind": "company"},
        "title": "Découvrir le métier d'électricienne",
        "description": "Une semaine à l'atelier : câblage, mise en service, sécurité électrique.",
        "sector": "H",
        "domain": "H26",
        "job_title": "Électricien ou électricienne",
        "rome_code": "H2602",
        "track": "observation_3e",
        "format": "on_site",
        "address": "12 rue de la République",
        "commune": "93066",
        "weeks": [
            {"week": iso_week(factories.next_monday(4)), "seats": 2},
            {"week": iso_week(factories.next_monday(5)), "seats": 1},
        ],
        "group_size": 1,
        "reservation": "open",
        "disability_friendly": True,
        "schedule": default_schedule(),
    }
    data = copy.deepcopy(data)
    data.update(overrides)
    return data


def token_for(association, *, name: str = "Logiciel de l'association"):
    staff = factories.AssociationMembershipFactory(association=association).user
    return partner_token_create(association=association, name=name, by=staff)


def partner_client(association) -> APIClient:
    """An API client sending a fresh token of `association`; the token is `client.partner_token`."""
    token, secret = token_for(association)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.partner_token = token
    client.partner_secret = secret
    return client
