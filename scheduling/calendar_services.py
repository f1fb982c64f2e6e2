"""Writes for the private calendar feeds: create (or renew) and revoke. The secret is returned once and only its
SHA-256 is stored, so that a stolen database gives no usable feed URL."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from scheduling.calendar_selectors import token_hash
from scheduling.models import CalendarFeed

# A feed read is recorded at most this often, so that calendars polling it do not write on every read.
TOUCH_EVERY = datetime.timedelta(minutes=15)


def feed_create(*, user: User, now: datetime.datetime | None = None) -> str:
    """Gives the user a new feed and returns its secret token; a live feed she had stops working."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=user.pk).first()  # one change at a time per person
            CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
            CalendarFeed.objects.create(user=user, token_hash=token_hash(token))
    except IntegrityError as error:
        raise ValidationError(_("Votre adresse d'agenda n'a pas pu être créée. Réessayez.")) from error
    return token


@transaction.atomic
def feed_revoke(*, user: User, now: datetime.datetime | None = None) -> bool:
    """Stops the user's live feed; False if she had none."""
    return bool(
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    )


def feed_touch(*, feed: CalendarFeed, now: datetime.datetime | None = None) -> None:
    """Records when a calendar last read the feed (at most every TOUCH_EVERY)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
