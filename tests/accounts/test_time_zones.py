"""Times are stored in UTC and shown in each person's zone; mainland France changes time, most overseas
territories do not. The daylight-saving weekends of 2027: 28 March and 31 October."""

import datetime

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from backend.accounts.middleware import UserTimezoneMiddleware
from tests.factories import UserFactory

UTC = datetime.UTC
TEMPLATE = Template("{{ moment|date:'Y-m-d H:i' }}")


def shown_to(user, moment: datetime.datetime) -> str:
    request = RequestFactory().get("/")
    request.user = user
    seen = {}

    def view(request):
        # The template shows the wall-clock time; the offset tells which of a repeated hour it is (Django's
        # date filter leaves the offset out for an ambiguous time, so it is read from localtime()).
        offset = timezone.localtime(moment).strftime("%z")
        seen["text"] = f"{TEMPLATE.render(Context({'moment': moment}))} {offset}"
        return HttpResponse()

    UserTimezoneMiddleware(view)(request)
    return seen["text"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        # Spring forward in Paris at 01:00 UTC on 28 March 2027.
        (datetime.datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "Europe/Paris", "2027-03-28 01:30 +0100"),
        (datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Europe/Paris", "2027-03-28 03:30 +0200"),
        (datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "America/Martinique", "2027-03-27 21:30 -0400"),
        (datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Indian/Reunion", "2027-03-28 05:30 +0400"),
        # Fall back in Paris at 01:00 UTC on 31 October 2027: 02:30 happens twice.
        (datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "Europe/Paris", "2027-10-31 02:30 +0200"),
        (datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "Europe/Paris", "2027-10-31 02:30 +0100"),
        (datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "Pacific/Noumea", "2027-10-31 12:30 +1100"),
        (datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "America/Cayenne", "2027-10-30 22:30 -0300"),
    ],
)
def test_each_person_sees_times_in_her_own_zone(moment, zone, expected):
    assert shown_to(UserFactory(time_zone=zone), moment) == expected
