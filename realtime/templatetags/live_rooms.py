"""`{% may_enter_room session_or_booking as flag %}`: whether the page's reader may enter the live room of a
session or a tutoring booking — for the links on scheduling's pages, which know nothing of realtime."""

from django import template

from realtime import permissions
from scheduling.models import DiscoverySession

register = template.Library()


@register.simple_tag(takes_context=True)
def may_enter_room(context, owner) -> bool:
    request = context.get("request")
    if request is None or owner is None:
        return False
    if isinstance(owner, DiscoverySession):
        return permissions.can_enter_room_of(request.user, session=owner)
    return permissions.can_enter_room_of(request.user, booking=owner)
