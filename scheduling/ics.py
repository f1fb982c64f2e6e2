"""iCalendar (RFC 5545) output: the private feeds and the .ics attached to confirmation and cancellation e-mails.

An event keeps one UID for its whole life (the row's `uid`) and carries the row's `sequence`, so that a calendar
that imported it from an e-mail and from a feed sees one event, updated in place. Times are written in UTC
(`DTSTART:20270328T120000Z`): every calendar shows them in its own zone. Pupils appear by their display name
(first name and initial) only.

`scheduling.calendar_selectors` decides which events a person sees; this module writes them.
"""

import datetime
from dataclasses import dataclass
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Passerelle//Calendrier//FR"
UID_DOMAIN = "passerelle"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT, already worded for the person who reads it."""

    uid: str
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    description: str = ""
    url: str = ""  # absolute, for calendars and e-mails
    path: str = ""  # the same page for the site's own links
    location: str = ""
    cancelled: bool = False
    tentative: bool = False
    updated_at: datetime.datetime | None = None
    kind: str = ""  # "tutoring" or "session": for pages that list events

    @property
    def status(self) -> str:
        if self.cancelled:
            return "CANCELLED"
        return "TENTATIVE" if self.tentative else "CONFIRMED"


def event_uid(uuid_value) -> str:
    """The UID of a booking or a session: stable across changes, the same in feeds and e-mails."""
    return f"{uuid_value}@{UID_DOMAIN}"


def _organizer_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "ne-pas-repondre@passerelle.example"


def _vevent(event: CalendarEvent, *, method: str | None, attendee: str | None) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", int(event.sequence))
    vevent.add("dtstamp", (event.updated_at or timezone.now()).astimezone(datetime.UTC))
    vevent.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    vevent.add("dtend", event.ends_at.astimezone(datetime.UTC))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.location:
        vevent.add("location", event.location)
    vevent.add("status", "CANCELLED" if method == CANCEL else event.status)
    vevent.add("transp", "TRANSPARENT" if event.cancelled else "OPAQUE")
    if method:
        # RFC 5546: a REQUEST or a CANCEL names its organizer; the platform organises, the reader attends.
        organizer = icalendar.vCalAddress(f"mailto:{_organizer_address()}")
        organizer.params["cn"] = icalendar.vText("Passerelle")
        vevent.add("organizer", organizer)
        if attendee:
            address = icalendar.vCalAddress(f"mailto:{attendee}")
            address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
            address.params["partstat"] = icalendar.vText("ACCEPTED")
            vevent.add("attendee", address)
    return vevent


def calendar_bytes(
    events: list[CalendarEvent], *, method: str | None = None, name: str = "", attendee: str | None = None
) -> bytes:
    """A VCALENDAR with `events`. `method` (REQUEST or CANCEL) for an e-mail attachment, none for a feed."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        # Clients that refresh subscriptions read this hint (every hour here).
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for event in events:
        calendar.add_component(_vevent(event, method=method, attendee=attendee))
    return calendar.to_ical()
