"""`{% pupil_apply_state offer as state %}`: for a signed-in pupil, her application to the offer (if she sent one)
and, if she has none, why she may not apply (None when she may). Used by offers/includes/offer_actions.html."""

from django import template

from backend.offers import application_selectors
from backend.offers.applications import application_refusal

register = template.Library()


@register.simple_tag(takes_context=True)
def pupil_apply_state(context, offer) -> dict | None:
    user = context.get("user")
    if not getattr(user, "is_authenticated", False) or not user.is_pupil:
        return None
    application = application_selectors.application_of(user, offer)
    refusal = None if application else application_refusal(pupil=user, offer=offer)
    return {"application": application, "refusal": refusal}
