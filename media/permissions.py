"""Who may do what in the video library. Small predicates, one rule each.

Videos are made by host organisations (any confirmed member: employers and professionals) and partner
associations (confirmed staff). Platform staff moderate: they publish or send back what was submitted.
Published videos are for every signed-in person of the platform.
"""

from backend.accounts.enums import MembershipStatus
from backend.organisations.enums import AssociationRole
from backend.organisations.models import Association, HostOrganisation
from media.enums import VideoState


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False)


def maker_organisations(user):
    return HostOrganisation.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.CONFIRMED
    ).distinct()


def maker_associations(user):
    return Association.objects.filter(
        memberships__user=user,
        memberships__status=MembershipStatus.CONFIRMED,
        memberships__role=AssociationRole.STAFF,
    ).distinct()


def can_upload_videos(user) -> bool:
    """Confirmed members of a host organisation and confirmed staff of a partner association."""
    if not _signed_in(user) or user.is_pupil:
        return False
    return maker_organisations(user).exists() or maker_associations(user).exists()


def can_make_for(user, maker) -> bool:
    """May this person make a video in the name of `maker` (an organisation or an association)?"""
    if not _signed_in(user):
        return False
    if isinstance(maker, HostOrganisation):
        return maker_organisations(user).filter(pk=maker.pk).exists()
    if isinstance(maker, Association):
        return maker_associations(user).filter(pk=maker.pk).exists()
    return False


def can_manage_video(user, video) -> bool:
    """The members of the video's maker; platform staff too."""
    if not _signed_in(user):
        return False
    if user.is_staff:
        return True
    return can_make_for(user, video.maker)


def can_moderate_videos(user) -> bool:
    return _signed_in(user) and user.is_staff


def can_watch_video(user, video) -> bool:
    """A published video: every signed-in person; before (or after) that, its makers and the moderation."""
    if not _signed_in(user):
        return False
    if video.state == VideoState.PUBLISHED:
        return True
    return can_manage_video(user, video)
