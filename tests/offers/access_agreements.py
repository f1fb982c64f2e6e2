"""Access rules for the internship agreements' pages (merged into tests/test_permissions.py)."""

from tests.access import ADULTS, PUPILS, Access
from tests.offers.world_agreements import agreement

# The world's agreement (tests/offers/world_agreements.py): the world pupil's confirmed internship at the world
# organisation; her school's head and her class's teacher, the organisation's employer and platform staff see it.
AGREEMENT_READERS = {"pupil", "teacher", "school_head", "employer", "platform_staff"}


def agreement_args(world):
    return {"pk": agreement(world).pk}


ACCESS: dict = {
    # Every signed-in person has the list (empty when she sees no agreement).
    "offers:agreements": Access(ADULTS | PUPILS),
    "offers:agreement_detail": Access(AGREEMENT_READERS, denied=404, kwargs=agreement_args),
    # Signing for the school: the head signs; the other readers get their refusal as a message on the page; a 404
    # for everyone else.
    "offers:agreement_sign": Access(
        AGREEMENT_READERS,
        method="post",
        ok=302,
        denied=404,
        kwargs=agreement_args,
        data={"party": "school", "confirm": "yes"},
    ),
}
