"""The agreement the access rules of tests/offers/access_agreements.py need, made on first use (it is not part of
every test's `world`: a confirmed internship of the world pupil would change what the other tests count)."""

from backend.offers import applications
from tests import factories


def agreement(world: dict):
    """The world pupil confirmed an internship at the world organisation, in a week of her own: its agreement waits
    for the signatures."""
    if "agreement" not in world:
        pupil = world["users"]["pupil"]
        offer = factories.OfferFactory(organisation=world["organisation"], weeks=[factories.next_monday(12)])
        application = factories.ApplicationFactory(offer=offer, pupil=pupil)
        applications.application_accept(
            application=application, by=world["users"]["employer"], week=offer.weeks.first()
        )
        world["agreement"] = applications.application_confirm(application=application, pupil=pupil).agreement
    return world["agreement"]
