"""The tutoring pages: the tutor's week and availability editor, the pupil's search, booking, appointments, cancel
and reschedule — in French, in each person's time zone, with nothing written on bad input."""

import datetime
import html
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import selectors, services
from scheduling.enums import BookingStatus
from scheduling.models import AvailabilityException, AvailabilityRule, AvailabilitySettings, Booking
from tests import factories
from tests.scheduling.factories import AvailabilityRuleFactory, AvailabilitySettingsFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


@pytest.fixture
def cast():
    """A tutor open every day 14:00–17:00 in Paris (60-minute group slots of 2), a pupil and her teacher."""
    tutor = factories.TutorProfileFactory(user__first_name="Claire", user__last_name="Martin").user
    AvailabilitySettingsFactory(user=tutor, min_notice_hours=24, horizon_days=14)
    rule = AvailabilityRuleFactory(
        owner=tutor,
        rrule="FREQ=DAILY",
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
        slot_minutes=60,
        group_size=2,
        topics=["homework", "cv"],
    )
    school_class = factories.SchoolClassFactory()
    teacher = factories.SchoolStaffFactory(school=school_class.school).user
    school_class.teachers.add(teacher)
    pupil = factories.EnrolmentFactory(
        school_class=school_class, pupil__first_name="Inès", pupil__last_name="Benali"
    ).pupil
    return {"tutor": tutor, "rule": rule, "pupil": pupil, "teacher": teacher}


def later_slot(tutor, *, days=3):
    """An open slot at least `days` days ahead (well after the cut-off)."""
    limit = timezone.now() + datetime.timedelta(days=days)
    return next(slot for slot in selectors.open_slots(tutor=tutor) if slot.starts_at > limit)


def book(pupil, tutor, *, days=3, topic="homework") -> Booking:
    slot = later_slot(tutor, days=days)
    return services.booking_create(pupil=pupil, tutor=tutor, starts_at=slot.starts_at, topic=topic)


# The tutor's availability ---------------------------------------------------------------------------------------


def test_a_tutor_adds_weekly_availability_with_checkboxes(client):
    tutor = factories.TutorProfileFactory().user
    client.force_login(tutor)
    page = client.get(reverse("scheduling:rule_create"))
    assert page.status_code == 200
    assert "Jours de la semaine" in text(page)
    response = client.post(
        reverse("scheduling:rule_create"),
        {
            "weekdays": ["WE", "MO"],
            "start_time": "14:00",
            "end_time": "16:00",
            "starts_on": timezone.localdate().isoformat(),
            "slot_minutes": "45",
            "buffer_minutes": "15",
            "topics": ["homework", "interview"],
            "format": "group",
            "group_size": "4",
        },
    )
    assert response.status_code == 302
    rule = AvailabilityRule.objects.get(owner=tutor)
    assert rule.rrule == "FREQ=WEEKLY;BYDAY=MO,WE"
    assert (rule.slot_minutes, rule.buffer_minutes, rule.group_size) == (45, 15, 4)
    assert rule.topics == ["homework", "interview"]
    week = text(client.get(reverse("scheduling:tutor_week")))
    assert "Lundi, Mercredi" in week
    assert "14:00–16:00" in week


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end_time": "13:00"}, "end_time", "L'heure de fin doit venir après l'heure de début."),
        ({"advanced_rrule": "FREQ=MONTHLY;BYDAY=MO"}, "advanced_rrule", ""),
        ({"advanced_rrule": "FREQ=WEEKLY;UNTIL=20270101"}, "advanced_rrule", ""),
        ({"weekdays": []}, "weekdays", "Cochez au moins un jour"),
        ({"topics": []}, "topics", "Choisissez au moins un thème."),
        ({"ends_on": "2020-01-01"}, "ends_on", "La date de fin doit venir après la date de début."),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_nothing_is_written(client, change, field, message):
    tutor = factories.TutorProfileFactory().user
    client.force_login(tutor)
    data = {
        "weekdays": ["WE"],
        "start_time": "14:00",
        "end_time": "16:00",
        "starts_on": timezone.localdate().isoformat(),
        "slot_minutes": "45",
        "buffer_minutes": "0",
        "topics": ["homework"],
        "format": "group",
        "group_size": "3",
        **change,
    }
    response = client.post(reverse("scheduling:rule_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert message in text(response)
    assert "Le formulaire contient des erreurs" in text(response)
    assert not AvailabilityRule.objects.filter(owner=tutor).exists()


def test_overlapping_rules_and_one_to_one_without_attestation_are_refused(client, cast):
    tutor = cast["tutor"]
    client.force_login(tutor)
    data = {
        "weekdays": ["WE"],
        "start_time": "15:00",
        "end_time": "16:00",
        "starts_on": timezone.localdate().isoformat(),
        "slot_minutes": "60",
        "buffer_minutes": "0",
        "topics": ["homework"],
        "format": "group",
        "group_size": "3",
    }
    response = client.post(reverse("scheduling:rule_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AvailabilityRule.objects.filter(owner=tutor).count() == 1

    other = factories.TutorProfileFactory().user
    client.force_login(other)
    response = client.post(reverse("scheduling:rule_create"), {**data, "format": "one_to_one"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AvailabilityRule.objects.filter(owner=other).exists()


def test_a_tutor_edits_and_deletes_his_rule_but_not_another_ones(client, cast):
    tutor, rule = cast["tutor"], cast["rule"]
    client.force_login(tutor)
    page = client.get(reverse("scheduling:rule_edit", args=[rule.pk]))
    assert page.context["form"].initial["advanced_rrule"] == "FREQ=DAILY"
    response = client.post(
        reverse("scheduling:rule_edit", args=[rule.pk]),
        {
            "weekdays": ["TU", "TH"],
            "start_time": "09:00",
            "end_time": "11:00",
            "starts_on": rule.starts_on.isoformat(),
            "slot_minutes": "30",
            "buffer_minutes": "0",
            "topics": ["orientation"],
            "format": "group",
            "group_size": "2",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.rrule, rule.start_time, rule.topics) == ("FREQ=WEEKLY;BYDAY=TU,TH", datetime.time(9), ["orientation"])

    someone = factories.TutorProfileFactory().user
    client.force_login(someone)
    assert client.get(reverse("scheduling:rule_edit", args=[rule.pk])).status_code == 404
    assert client.post(reverse("scheduling:rule_delete", args=[rule.pk])).status_code == 404
    client.force_login(tutor)
    assert client.post(reverse("scheduling:rule_delete", args=[rule.pk])).status_code == 302
    assert not AvailabilityRule.objects.filter(pk=rule.pk).exists()


def test_a_day_off_removes_the_days_slots_and_an_extra_window_needs_times(client, cast):
    tutor = cast["tutor"]
    client.force_login(tutor)
    day = later_slot(tutor).starts_at.astimezone(PARIS).date()
    response = client.post(
        reverse("scheduling:exception_create"),
        {
            "kind": "unavailable",
            "date": day.isoformat(),
            "slot_minutes": "45",
            "buffer_minutes": "0",
            "format": "group",
            "group_size": "3",
            "note": "Dentiste",
        },
    )
    assert response.status_code == 302
    assert not [slot for slot in selectors.open_slots(tutor=tutor) if slot.starts_at.astimezone(PARIS).date() == day]
    assert "Dentiste" in text(client.get(reverse("scheduling:tutor_week")))

    response = client.post(
        reverse("scheduling:exception_create"),
        {
            "kind": "extra",
            "date": day.isoformat(),
            "slot_minutes": "45",
            "buffer_minutes": "0",
            "topics": ["cv"],
            "format": "group",
            "group_size": "3",
        },
    )
    assert response.status_code == 200
    assert "Une disponibilité supplémentaire a des heures." in text(response)
    assert AvailabilityException.objects.filter(owner=tutor).count() == 1

    exception = AvailabilityException.objects.get(owner=tutor)
    assert client.post(reverse("scheduling:exception_delete", args=[exception.pk])).status_code == 302
    assert not AvailabilityException.objects.filter(owner=tutor).exists()


def test_a_tutor_changes_his_settings_and_bad_values_are_refused(client, cast):
    tutor = cast["tutor"]
    client.force_login(tutor)
    base = {"time_zone": "Europe/Paris", "min_notice_hours": "48", "horizon_days": "21", "max_per_day": "2"}
    assert client.post(reverse("scheduling:tutor_settings"), base).status_code == 302
    settings = AvailabilitySettings.objects.get(user=tutor)
    assert (settings.min_notice_hours, settings.horizon_days, settings.max_per_day) == (48, 21, 2)

    response = client.post(reverse("scheduling:tutor_settings"), {**base, "horizon_days": "400"})
    assert response.status_code == 200
    assert "L'horizon de réservation va de 1 à 90 jours." in text(response)
    response = client.post(reverse("scheduling:tutor_settings"), {**base, "max_per_week": "1"})
    assert response.status_code == 200
    assert "ne peut dépasser celui par semaine" in text(response)
    settings.refresh_from_db()
    assert (settings.horizon_days, settings.max_per_week) == (21, None)


# The pupil ------------------------------------------------------------------------------------------------------


def test_the_pupil_sees_slots_by_day_in_her_time_zone_and_filters_them(client, cast):
    pupil = cast["pupil"]
    pupil.time_zone = "Indian/Reunion"
    pupil.save()
    client.force_login(pupil)
    page = client.get(reverse("scheduling:slots"))
    assert page.status_code == 200
    content = text(page)
    assert "La Réunion" in content
    first = page.context["days"][0]["items"][0]["slot"]
    local = first.starts_at.astimezone(REUNION)
    assert f">{local:%H:%M}</time>–" in content
    assert "Claire Martin" in content

    day = later_slot(cast["tutor"]).starts_at.astimezone(REUNION).date()
    page = client.get(reverse("scheduling:slots"), {"day": day.isoformat(), "topic": "cv"})
    assert [group["date"] for group in page.context["days"]] == [day]
    page = client.get(reverse("scheduling:slots"), {"topic": "interview"})
    assert page.context["count"] == 0
    assert "Aucun créneau libre ne correspond à ta recherche." in text(page)
    page = client.get(reverse("scheduling:slots"), {"day": "pas-une-date"})
    assert page.status_code == 200
    assert page.context["form"].errors["day"]


def test_the_pupil_books_a_slot_and_sees_the_confirmation(client, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    slot = later_slot(tutor)
    client.force_login(pupil)
    url = reverse("scheduling:book", args=[slot.key])
    page = client.get(url)
    assert page.status_code == 200
    assert "Aide aux devoirs" in text(page)
    response = client.post(url, {"topic": "cv", "message": "Je voudrais relire mon CV."})
    booking = Booking.objects.get(pupil=pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:booking_detail", args=[booking.pk])
    assert (booking.starts_at, booking.topic, booking.status) == (slot.starts_at, "cv", BookingStatus.BOOKED)
    detail = text(client.get(response["Location"]))
    assert "C'est réservé !" in detail
    assert "Je voudrais relire mon CV." in detail
    assert "Préparer le stage : CV" in detail
    # Her teacher and the tutor see it; another pupil does not.
    client.force_login(cast["teacher"])
    assert client.get(response["Location"]).status_code == 200
    client.force_login(tutor)
    assert "Inès B." in text(client.get(response["Location"]))
    client.force_login(factories.EnrolmentFactory().pupil)
    assert client.get(response["Location"]).status_code == 404


def test_booking_a_topic_the_slot_lacks_or_a_gone_slot_is_refused(client, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    slot = later_slot(tutor)
    client.force_login(pupil)
    url = reverse("scheduling:book", args=[slot.key])
    response = client.post(url, {"topic": "interview"})
    assert response.status_code == 200
    assert response.context["form"].errors["topic"]
    # Both seats taken by others: the slot is gone.
    for _ in range(2):
        other = factories.EnrolmentFactory().pupil
        services.booking_create(pupil=other, tutor=tutor, starts_at=slot.starts_at, topic="homework")
    response = client.post(url, {"topic": "homework"}, follow=True)
    assert "Ce créneau n'est plus libre." in text(response)
    assert not Booking.objects.filter(pupil=pupil).exists()
    assert client.get(reverse("scheduling:book", args=["n-importe-quoi"])).status_code == 404


def test_a_pupil_whose_consent_is_pending_sees_why_she_cannot_book(client, cast):
    pupil = factories.EnrolmentFactory(pupil__pupil_profile__consent_status="pending").pupil
    client.force_login(pupil)
    assert "En attente de l'accord" in text(client.get(reverse("scheduling:slots")))
    slot = later_slot(cast["tutor"])
    response = client.post(reverse("scheduling:book", args=[slot.key]), {"topic": "homework"})
    assert response.status_code == 200
    assert "L'accord de ton représentant légal est attendu" in text(response)
    assert not Booking.objects.filter(pupil=pupil).exists()


def test_my_appointments_cancel_with_a_reason(client, cast):
    pupil = cast["pupil"]
    booking = book(pupil, cast["tutor"])
    client.force_login(pupil)
    page = client.get(reverse("scheduling:my_appointments"))
    assert [b.pk for b in page.context["upcoming"]] == [booking.pk]
    assert "Claire Martin" in text(page)
    url = reverse("scheduling:booking_cancel", args=[booking.pk])
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "Indiquez un motif." in text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    response = client.post(url, {"reason": "Contrôle de maths."})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:my_appointments")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.cancelled_by) == ("cancelled", "Contrôle de maths.", pupil)
    page = text(client.get(reverse("scheduling:my_appointments")))
    assert "Annulé" in page
    assert "Contrôle de maths." in page


def test_no_cancel_after_the_cut_off(client, cast, settings):
    pupil = cast["pupil"]
    booking = book(pupil, cast["tutor"], days=1)
    settings.SCHEDULING_CANCEL_CUTOFF_HOURS = 24 * 10
    client.force_login(pupil)
    page = client.get(reverse("scheduling:booking_cancel", args=[booking.pk]))
    assert "Ce rendez-vous ne peut plus être annulé" in text(page)
    response = client.post(reverse("scheduling:booking_cancel", args=[booking.pk]), {"reason": "Trop tard"})
    assert response.status_code == 200
    assert "au plus tard 240 heures avant son début" in text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_pupil_reschedules_to_another_slot_of_the_same_tutor(client, cast):
    pupil, tutor = cast["pupil"], cast["tutor"]
    booking = book(pupil, tutor)
    client.force_login(pupil)
    url = reverse("scheduling:booking_reschedule", args=[booking.pk])
    page = client.get(url)
    choices = [key for key, _label in page.context["form"].fields["slot"].choices]
    assert choices
    target = choices[-1]
    response = client.post(url, {"slot": target, "reason": "Sortie scolaire."})
    assert response.status_code == 302
    new = Booking.objects.get(pupil=pupil, status=BookingStatus.BOOKED)
    assert new.rescheduled_from_id == booking.pk
    assert selectors.slot_key(tutor.pk, new.starts_at) == target
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Voir le rendez-vous d'origine" in text(client.get(response["Location"]))
    # A slot that is not offered is refused, nothing changes.
    response = client.post(
        reverse("scheduling:booking_reschedule", args=[new.pk]), {"slot": "1-20200101T000000Z", "reason": "x"}
    )
    assert response.status_code == 200
    assert "Ce créneau n'est plus libre" in text(response)


def test_the_tutors_week_lists_bookings_by_day_he_cancels_and_marks_attendance(client, cast):
    tutor, pupil = cast["tutor"], cast["pupil"]
    booking = book(pupil, tutor)
    client.force_login(tutor)
    local_day = booking.starts_at.astimezone(PARIS).date()
    page = client.get(reverse("scheduling:tutor_week"), {"semaine": local_day.isoformat()})
    day = next(day for day in page.context["days"] if day["date"] == local_day)
    assert [b.pk for b in day["bookings"]] == [booking.pk]
    content = text(page)
    assert "Inès B." in content
    assert "Benali" not in content
    assert f">{booking.starts_at.astimezone(PARIS):%H:%M}</time>–" in content
    assert "Semaine précédente" in content

    response = client.post(reverse("scheduling:booking_cancel", args=[booking.pk]), {"reason": "Empêchement."})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, tutor)

    # A booking that has begun: the tutor notes the pupil absent, then corrects to present.
    started = book(factories.EnrolmentFactory().pupil, tutor)
    Booking.objects.filter(pk=started.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    url = reverse("scheduling:booking_mark", args=[started.pk])
    assert client.post(url, {"attended": "0"}).status_code == 302
    started.refresh_from_db()
    assert started.status == BookingStatus.NO_SHOW
    client.post(url, {"attended": "1"})
    started.refresh_from_db()
    assert started.status == BookingStatus.ATTENDED
    client.force_login(pupil)
    assert client.post(url, {"attended": "1"}).status_code == 404


def test_a_week_far_off_or_malformed_falls_back_to_this_week(client, cast):
    client.force_login(cast["tutor"])
    this_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    for value in ("n'importe", "1900-01-01"):
        page = client.get(reverse("scheduling:tutor_week"), {"semaine": value})
        assert page.status_code == 200
        assert page.context["monday"] == this_monday


def test_homes_show_the_tutoring_blocks(client, cast):
    booking = book(cast["pupil"], cast["tutor"])
    client.force_login(cast["pupil"])
    content = text(client.get(reverse("ui:home_pupil")))
    assert "Mon tutorat" in content
    assert reverse("scheduling:booking_detail", args=[booking.pk]) in content
    client.force_login(cast["tutor"])
    content = text(client.get(reverse("ui:home_tutor")))
    assert "Ma semaine de tutorat" in content
    assert "Inès B." in content


def test_supervisors_look_but_do_not_act_and_platform_staff_cancel_until_the_start(client, cast, settings):
    booking = book(cast["pupil"], cast["tutor"], days=1)
    client.force_login(cast["teacher"])
    assert client.get(reverse("scheduling:booking_detail", args=[booking.pk])).status_code == 200
    assert client.get(reverse("scheduling:booking_cancel", args=[booking.pk])).status_code == 404
    settings.SCHEDULING_CANCEL_CUTOFF_HOURS = 24 * 10
    client.force_login(factories.UserFactory(staff=True))
    response = client.post(reverse("scheduling:booking_cancel", args=[booking.pk]), {"reason": "Tuteur indisponible."})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:booking_detail", args=[booking.pk])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
