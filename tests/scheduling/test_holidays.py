"""Public and school holidays: the contract the tutoring core calls, the shipped calendar, its import command."""

import csv
import datetime
import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from scheduling import holidays
from scheduling.enums import SchoolZone
from scheduling.holidays import DATA_FILE, HolidayFileError, import_school_holidays, read_holiday_file
from scheduling.models import SchoolHolidayPeriod
from tests import factories

D = datetime.date


SPRING_C = (D(2026, 4, 18), D(2026, 5, 3))


def period(zone="C", name="Vacances de printemps", starts_on=SPRING_C[0], ends_on=SPRING_C[1], **kwargs):
    return SchoolHolidayPeriod.objects.create(
        zone=zone,
        name=name,
        school_year=kwargs.pop("school_year", "2025-2026"),
        starts_on=starts_on,
        ends_on=ends_on,
        source=kwargs.pop("source", "test"),
    )


def write_csv(tmp_path, rows, header=holidays.CSV_COLUMNS):
    path = tmp_path / "holidays.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- Public holidays ---------------------------------------------------------------------------------------------


def test_mainland_public_holidays_in_a_range():
    days = holidays.public_holidays(time_zone="Europe/Paris", start=D(2026, 12, 20), end=D(2027, 1, 10))
    assert days == {D(2026, 12, 25), D(2027, 1, 1)}


@pytest.mark.parametrize(
    ("time_zone", "day"),
    [
        ("Indian/Reunion", D(2026, 12, 20)),  # abolition of slavery, La Réunion
        ("America/Guadeloupe", D(2027, 5, 27)),
        ("America/Martinique", D(2027, 5, 22)),
        ("America/Cayenne", D(2027, 6, 10)),
        ("Indian/Mayotte", D(2027, 4, 27)),
        ("Pacific/Noumea", D(2027, 9, 24)),
        ("Pacific/Tahiti", D(2027, 3, 5)),
        ("Pacific/Wallis", D(2027, 7, 29)),
    ],
)
def test_overseas_territories_have_their_own_public_holidays(time_zone, day):
    assert day in holidays.public_holidays(time_zone=time_zone, start=day, end=day)
    assert day not in holidays.public_holidays(time_zone="Europe/Paris", start=day, end=day)


def test_every_platform_time_zone_maps_to_a_territory():
    from backend.accounts.enums import TIME_ZONE_NAMES

    assert set(holidays.PUBLIC_HOLIDAY_SUBDIVISIONS) == TIME_ZONE_NAMES


def test_unknown_time_zone_gets_national_holidays_and_empty_range_nothing():
    assert D(2027, 7, 14) in holidays.public_holidays(
        time_zone="Mars/Olympus", start=D(2027, 7, 1), end=D(2027, 7, 31)
    )
    assert holidays.public_holidays(time_zone="Europe/Paris", start=D(2027, 2, 1), end=D(2027, 1, 1)) == frozenset()


# --- School holidays and closed dates ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closed_dates_joins_public_and_school_holidays_inclusive():
    period(zone="C", starts_on=D(2026, 4, 18), ends_on=D(2026, 5, 3))
    period(zone="A", starts_on=D(2026, 4, 4), ends_on=D(2026, 4, 19))
    days = holidays.closed_dates(time_zone="Europe/Paris", zone="C", start=D(2026, 4, 1), end=D(2026, 5, 8))
    school = {D(2026, 4, 18) + datetime.timedelta(days=n) for n in range(16)}
    assert days == school | {D(2026, 4, 6), D(2026, 5, 1), D(2026, 5, 8)}  # Easter Monday, 1 and 8 May
    assert isinstance(days, frozenset)


@pytest.mark.django_db
def test_closed_dates_clips_periods_to_the_range_and_blank_zone_is_public_only():
    period(zone="C", starts_on=D(2026, 4, 18), ends_on=D(2026, 5, 3))
    days = holidays.closed_dates(time_zone="Europe/Paris", zone="C", start=D(2026, 4, 20), end=D(2026, 4, 21))
    assert days == {D(2026, 4, 20), D(2026, 4, 21)}
    assert holidays.closed_dates(time_zone="Europe/Paris", zone="", start=D(2026, 4, 20), end=D(2026, 4, 21)) == set()


@pytest.mark.django_db
def test_closed_dates_of_an_overseas_tutor(django_assert_max_num_queries):
    period(zone="reunion", name="Été austral", starts_on=D(2026, 12, 19), ends_on=D(2027, 1, 31))
    with django_assert_max_num_queries(1):
        days = holidays.closed_dates(
            time_zone="Indian/Reunion", zone="reunion", start=D(2026, 12, 1), end=D(2027, 2, 2)
        )
    assert D(2026, 12, 18) not in days
    assert {D(2026, 12, 19), D(2027, 1, 31), D(2026, 12, 20)} <= days
    assert D(2027, 2, 1) not in days


@pytest.mark.django_db
def test_is_school_holiday():
    period(zone="B", starts_on=D(2027, 2, 20), ends_on=D(2027, 3, 7))
    assert holidays.is_school_holiday(D(2027, 2, 20), zone="B")
    assert holidays.is_school_holiday(D(2027, 3, 7), zone="B")
    assert not holidays.is_school_holiday(D(2027, 3, 8), zone="B")
    assert not holidays.is_school_holiday(D(2027, 2, 25), zone="A")
    assert not holidays.is_school_holiday(D(2027, 2, 25), zone="")


# --- Default zone --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_default_zone_follows_the_school_academie():
    assert holidays.default_zone("Europe/Paris", factories.SchoolFactory(academie="creteil")) == "C"
    assert holidays.default_zone("Europe/Paris", factories.SchoolFactory(academie="lyon")) == "A"
    assert holidays.default_zone("Europe/Paris", factories.SchoolFactory(academie="normandie")) == "B"
    assert holidays.default_zone("Europe/Paris", factories.SchoolFactory(academie="corse")) == "corse"
    assert holidays.default_zone("Europe/Paris", factories.SchoolFactory(academie="la-reunion")) == "reunion"


def test_default_zone_without_a_school():
    assert holidays.default_zone("Indian/Reunion") == "reunion"
    assert holidays.default_zone("Pacific/Noumea") == "nouvelle_caledonie"
    assert holidays.default_zone("Europe/Paris") == ""


def test_every_academie_has_a_zone():
    from backend.schools.enums import Academie

    assert set(holidays.ACADEMIE_SCHOOL_ZONES) == set(Academie.values)
    assert set(holidays.ACADEMIE_SCHOOL_ZONES.values()) <= set(SchoolZone.values)
    assert set(holidays.TIME_ZONE_SCHOOL_ZONES.values()) <= set(SchoolZone.values)


# --- The shipped calendar ------------------------------------------------------------------------------------------


def test_shipped_file_is_valid_and_sourced():
    rows = read_holiday_file(DATA_FILE)
    assert len(rows) >= 40
    assert all(row.source for row in rows)
    years = {(row.zone, row.school_year) for row in rows}
    for zone in ("A", "B", "C"):
        assert {(zone, "2025-2026"), (zone, "2026-2027")} <= years
    assert ("reunion", "2026-2027") in years


def test_shipped_file_periods_do_not_overlap_within_a_zone():
    by_zone = {}
    for row in read_holiday_file(DATA_FILE):
        by_zone.setdefault(row.zone, []).append(row)
    for rows in by_zone.values():
        rows.sort(key=lambda row: row.starts_on)
        for before, after in itertools.pairwise(rows):
            assert before.ends_on < after.starts_on, (before, after)


def test_shipped_mainland_winter_breaks_are_the_published_ones():
    winter = {
        (row.zone, row.school_year): (row.starts_on, row.ends_on)
        for row in read_holiday_file(DATA_FILE)
        if row.name == "Vacances d'hiver"
    }
    assert winter[("A", "2025-2026")] == (D(2026, 2, 7), D(2026, 2, 22))
    assert winter[("C", "2025-2026")] == (D(2026, 2, 21), D(2026, 3, 8))
    assert winter[("B", "2026-2027")] == (D(2027, 2, 20), D(2027, 3, 7))
    assert winter[("C", "2026-2027")] == (D(2027, 2, 6), D(2027, 2, 21))


# --- Import ----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_is_a_dry_run_by_default_then_idempotent():
    report = import_school_holidays()
    assert report.changed
    assert SchoolHolidayPeriod.objects.count() == 0
    report = import_school_holidays(apply=True)
    total = SchoolHolidayPeriod.objects.count()
    assert total == report.rows_in_file == len(report.created)
    again = import_school_holidays(apply=True)
    assert not again.changed
    assert again.unchanged == total
    assert SchoolHolidayPeriod.objects.count() == total


@pytest.mark.django_db
def test_import_keeps_staff_edits_unless_replace(tmp_path):
    path = write_csv(tmp_path, [["C", "2025-2026", "Vacances de printemps", "2026-04-18", "2026-05-03", "arrêté"]])
    # Staff moved the end and renamed it in the admin.
    edited = period(zone="C", name="Printemps (corrigé)", starts_on=D(2026, 4, 18), ends_on=D(2026, 5, 4))
    # And added a period the file lacks.
    added = period(zone="C", name="Toussaint 2027", starts_on=D(2027, 10, 23), ends_on=D(2027, 11, 7))

    report = import_school_holidays(path, apply=True)
    assert report.kept_edited == [edited]
    assert not report.created
    edited.refresh_from_db()
    assert edited.name == "Printemps (corrigé)"

    edited_pk = edited.pk
    report = import_school_holidays(path, apply=True, replace=True)
    assert [replaced.name for replaced in report.replaced] == ["Printemps (corrigé)"]
    assert len(report.created) == 1
    assert not SchoolHolidayPeriod.objects.filter(pk=edited_pk).exists()
    assert SchoolHolidayPeriod.objects.get(zone="C", starts_on=D(2026, 4, 18)).ends_on == D(2026, 5, 3)
    assert SchoolHolidayPeriod.objects.filter(pk=added.pk).exists()


@pytest.mark.django_db
def test_import_staff_moved_start_is_not_duplicated(tmp_path):
    path = write_csv(tmp_path, [["A", "2025-2026", "Vacances d'hiver", "2026-02-07", "2026-02-22", "arrêté"]])
    period(zone="A", name="Vacances d'hiver", starts_on=D(2026, 2, 6), ends_on=D(2026, 2, 22))
    import_school_holidays(path, apply=True)
    assert SchoolHolidayPeriod.objects.filter(zone="A").count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["Z", "2025-2026", "Hiver", "2026-02-07", "2026-02-22", "s"], "zone inconnue"),
        (["A", "2025-2027", "Hiver", "2026-02-07", "2026-02-22", "s"], "année scolaire invalide"),
        (["A", "2025-2026", "Hiver", "2026-02-30", "2026-03-22", "s"], "date invalide"),
        (["A", "2025-2026", "Hiver", "2026-02-22", "2026-02-07", "s"], "la fin précède le début"),
        (["A", "2025-2026", "Hiver", "2026-02-07", "2026-02-22", ""], "source vide"),
        (["A", "2025-2026", "", "2026-02-07", "2026-02-22", "s"], "name vide"),
        (["A", "2025-2026", "Hiver", "2026-02-07", "2026-02-22", "s" * 256], "source trop long"),
    ],
)
@pytest.mark.django_db
def test_bad_file_is_refused_whole(tmp_path, row, message):
    good = ["B", "2025-2026", "Hiver", "2026-02-14", "2026-03-01", "s"]
    path = write_csv(tmp_path, [good, row])
    with pytest.raises(HolidayFileError, match=message) as error:
        import_school_holidays(path, apply=True)
    assert "ligne 3" in str(error.value)
    assert SchoolHolidayPeriod.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_rows_and_wrong_header_are_refused(tmp_path):
    row = ["B", "2025-2026", "Hiver", "2026-02-14", "2026-03-01", "s"]
    with pytest.raises(HolidayFileError, match="en double"):
        import_school_holidays(write_csv(tmp_path, [row, row]), apply=True)
    with pytest.raises(HolidayFileError, match="colonnes attendues"):
        import_school_holidays(write_csv(tmp_path, [row], header=["zone", "debut"]), apply=True)


@pytest.mark.django_db
def test_command_dry_run_wet_run_and_errors(tmp_path):
    out = io.StringIO()
    call_command("import_school_holidays", stdout=out)
    assert "Simulation" in out.getvalue()
    assert SchoolHolidayPeriod.objects.count() == 0
    out = io.StringIO()
    call_command("import_school_holidays", "--wet-run", stdout=out)
    assert "Import terminé" in out.getvalue()
    assert SchoolHolidayPeriod.objects.count() > 0
    out = io.StringIO()
    call_command("import_school_holidays", stdout=out)
    assert "Rien à changer" in out.getvalue()
    with pytest.raises(CommandError, match="illisible"):
        call_command("import_school_holidays", "--file", str(tmp_path / "missing.csv"), stdout=io.StringIO())


@pytest.mark.django_db
def test_command_reports_kept_edits(tmp_path):
    path = write_csv(tmp_path, [["C", "2025-2026", "Vacances de printemps", "2026-04-18", "2026-05-03", "arrêté"]])
    period(zone="C", name="Printemps (corrigé)", starts_on=D(2026, 4, 18), ends_on=D(2026, 5, 4))
    out = io.StringIO()
    call_command("import_school_holidays", "--wet-run", "--file", str(path), stdout=out)
    assert "conservées : 1" in out.getvalue()


# --- Admin -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(staff=True, is_superuser=True))
    return client


ADMIN_MODELS = [
    "schoolholidayperiod",
    "availabilitysettings",
    "availabilityrule",
    "availabilityexception",
    "honourabilityattestation",
    "slot",
    "booking",
    "discoverysession",
    "sessionrequest",
    "sessionbooking",
    "calendarfeed",
    "remindersent",
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_scheduling_model_has_an_admin_list(admin_client, model):
    response = admin_client.get(f"/admin/scheduling/{model}/", {"q": "x"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_lists_show_rows(admin_client):
    from scheduling.models import Booking
    from tests.scheduling.factories import DiscoverySessionFactory, SessionBookingFactory, SlotFactory

    # Written directly: the shared BookingFactory warns (see the report), and warnings are errors here.
    slot = SlotFactory(seats_taken=1)
    booking = Booking.objects.create(
        slot=slot,
        pupil=factories.UserFactory(pupil=True),
        topic="homework",
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    SessionBookingFactory(session=DiscoverySessionFactory())
    period(zone="C")
    for model in ("booking", "slot", "sessionbooking", "discoverysession", "schoolholidayperiod"):
        assert admin_client.get(f"/admin/scheduling/{model}/").status_code == 200
    # Bookings are read-only: seen, never added, changed or deleted here.
    assert admin_client.get(f"/admin/scheduling/booking/{booking.pk}/change/").status_code == 200
    assert admin_client.get("/admin/scheduling/booking/add/").status_code == 403
    assert admin_client.post(f"/admin/scheduling/booking/{booking.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/scheduling/slot/{booking.slot_id}/change/", {"seats": 30}).status_code == 403


def holiday_form(**overrides):
    data = {
        "zone": "A",
        "school_year": "2026-2027",
        "name": "Vacances d'hiver",
        "starts_on": "2027-02-13",
        "ends_on": "2027-02-28",
        "source": "arrêté du 22 octobre 2025",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_staff_add_and_edit_holiday_periods_in_the_admin(admin_client):
    response = admin_client.post("/admin/scheduling/schoolholidayperiod/add/", holiday_form())
    assert response.status_code == 302
    created = SchoolHolidayPeriod.objects.get()
    response = admin_client.post(
        f"/admin/scheduling/schoolholidayperiod/{created.pk}/change/", holiday_form(ends_on="2027-03-01")
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.ends_on == D(2027, 3, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_on": "2027-02-20", "ends_on": "2027-03-07"}, "chevauchent une autre période"),
        ({"starts_on": "2027-03-10", "ends_on": "2027-03-01"}, "ne peut pas précéder le premier"),
    ],
)
def test_admin_refuses_overlapping_or_reversed_periods(admin_client, overrides, message):
    period(zone="A", name="Vacances d'hiver", starts_on=D(2027, 2, 13), ends_on=D(2027, 2, 28))
    response = admin_client.post("/admin/scheduling/schoolholidayperiod/add/", holiday_form(**overrides))
    assert response.status_code == 200
    assert SchoolHolidayPeriod.objects.count() == 1
    assert message in str(response.context["adminform"].form.errors)
