"""Links to the questionnaires from other apps' pages, which know nothing of follow_up (nothing imports it):

- `{% feedback_link session_or_booking_or_application %}`: a callout "Donnez votre avis" with the link to the
  questionnaire, when the page's reader may answer it now; nothing otherwise;
- `{% feedback_pending_count as count %}`: how many questionnaires the reader may answer (for a home page).
"""

from django import template

from backend.follow_up import selectors
from backend.follow_up.enums import FeedbackKind
from backend.offers.models import Application
from scheduling.models import Booking, DiscoverySession

register = template.Library()

KINDS = (
    (DiscoverySession, FeedbackKind.SESSION),
    (Booking, FeedbackKind.TUTORING),
    (Application, FeedbackKind.INTERNSHIP),
)


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("follow_up/includes/feedback_link.html", takes_context=True)
def feedback_link(context, target) -> dict:
    kind = next((kind for model, kind in KINDS if isinstance(target, model)), None)
    return {"questionnaire": selectors.open_questionnaire_for(_user(context), kind, target) if kind else None}


@register.simple_tag(takes_context=True)
def feedback_pending_count(context) -> int:
    return selectors.pending_count(_user(context)) if _user(context) is not None else 0
