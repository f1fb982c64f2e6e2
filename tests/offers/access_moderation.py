"""Access rules for the offers moderation URLs (merged into tests/test_permissions.py)."""

from backend.offers.enums import ReportReason
from backend.offers.models import OfferReport
from tests.access import EVERYONE, Access
from tests.factories import OfferFactory

STAFF = {"platform_staff"}


def open_report_args(world):
    report = OfferReport.objects.create(offer=world["offer"], reason=ReportReason.MISLEADING)
    return {"pk": report.pk}


ACCESS: dict = {
    "offers:moderation": Access(STAFF),
    "offers:moderate": Access(
        STAFF,
        method="post",
        ok=302,
        data={"action": "publish"},
        kwargs=lambda w: {"pk": OfferFactory(organisation=w["organisation"], submitted=True).pk},
    ),
    "offers:report_decide": Access(
        STAFF, method="post", ok=302, data={"decision": "dismissed"}, kwargs=open_report_args
    ),
    "offers:unhide": Access(STAFF, method="post", ok=302, kwargs=lambda w: {"pk": w["offer"].pk}),
    # Public: whoever may see the offer reports it, signed in or not.
    "offers:report": Access(EVERYONE, kwargs=lambda w: {"pk": w["offer"].pk}),
}
