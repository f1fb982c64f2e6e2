"""The "Mon agenda" page links to the site's own pages by path, whatever SITE_URL says (the feed and e-mails,
read outside the site, carry absolute addresses)."""

from django.test import override_settings
from django.urls import reverse


@override_settings(SITE_URL="https://passerelle.example.fr")
def test_the_agenda_links_to_pages_by_path(client, world):
    booking = world["tutoring_booking"]
    client.force_login(world["users"]["pupil"])

    page = client.get(reverse("scheduling:calendar")).content.decode()

    detail = reverse("scheduling:booking_detail", args=[booking.pk])
    assert f'href="{detail}"' in page
    assert "https://passerelle.example.fr" not in page
