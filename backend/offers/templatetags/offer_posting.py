"""`{% if offer|managed_by:user %}`: whether the person manages the offer (its "Gérer cette offre" link). Used by
offers/includes/offer_actions.html."""

from django import template

from backend.offers.permissions import can_manage_offer

register = template.Library()


@register.filter
def managed_by(offer, user) -> bool:
    return can_manage_offer(user, offer)
