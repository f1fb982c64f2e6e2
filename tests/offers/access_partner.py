"""Access rules for the partner API, its token pages, the sectors and the offers export (merged into
tests/test_permissions.py).

The partner API opens to association tokens only (`Authorization: Bearer …`): without any credential it answers
401 with its Bearer challenge, and a person signed in on the site through her session gets 403
`partner_token_required`, whatever her roles: the site's session never opens it.
"""

from backend.organisations.tokens import partner_token_create
from tests.access import EVERYONE, Access


def association_args(world):
    return {"pk": world["association"].pk}


def token_args(world):
    token = world.get("partner_token")
    if token is None:
        token, _secret = partner_token_create(
            association=world["association"], name="Site de l'association", by=world["users"]["association_staff"]
        )
        world["partner_token"] = token
    return {"pk": world["association"].pk, "token_pk": token.pk}


ACCESS: dict = {
    "organisations:partner_tokens": Access({"association_staff", "platform_staff"}, kwargs=association_args),
    "organisations:partner_token_revoke": Access(
        {"association_staff", "platform_staff"}, method="post", ok=302, kwargs=token_args
    ),
    "api:partner-offer-list": Access(set(), denied=403, anonymous=401),
    "api:partner-offer": Access(set(), denied=403, anonymous=401, kwargs=lambda w: {"external_id": "stage-1"}),
    "api:sector-list": Access(EVERYONE),
    "offers:offers_csv": Access({"employer", "association_staff", "platform_staff"}),
}
