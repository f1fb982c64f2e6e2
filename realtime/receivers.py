"""Scheduling tells realtime when a session or a booking changes (`scheduling.events`); the open connections of
its room then re-check the room: a cancelled or finished room closes (4410), somebody who lost access leaves
(4403), a moved end time moves the closing. A change to the staff's word list clears this process's copy."""

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from realtime import selectors
from realtime.events import send_event
from realtime.models import FilteredWord, Room
from scheduling.events import booking_changed, session_changed

logger = logging.getLogger(__name__)


def _refresh(**owner) -> None:
    room_id = Room.objects.filter(**owner).values_list("pk", flat=True).first()
    if room_id is None:
        return
    from realtime.consumers import group_name

    try:
        send_event(group_name(room_id), {"type": "room.refresh"})
    except Exception:  # the change itself has committed; a live notice that cannot leave must not undo the page
        logger.exception("could not tell room %s about a change", room_id)


@receiver(session_changed, dispatch_uid="realtime.session_changed")
def session_changed_received(sender, session, action, **kwargs):
    _refresh(session=session)


@receiver(booking_changed, dispatch_uid="realtime.booking_changed")
def booking_changed_received(sender, booking, action, **kwargs):
    _refresh(booking=booking)


@receiver(post_save, sender=FilteredWord, dispatch_uid="realtime.filtered_word_saved")
@receiver(post_delete, sender=FilteredWord, dispatch_uid="realtime.filtered_word_deleted")
def filtered_words_changed(sender, **kwargs):
    selectors.forget_filtered_words()
