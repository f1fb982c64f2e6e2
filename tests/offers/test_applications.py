"""Applications' services: each state transition, the illegal ones refused, nothing written on a refusal, and
the e-mails sent at each step."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from backend.accounts.enums import ConsentStatus
from backend.offers import applications as services
from backend.offers.enums import ApplicationStatus, DeclineReason, OfferStatus, Reservation, Track
from backend.offers.models import Application, OfferWeek
from backend.schools.enums import Level
from tests import factories

pytestmark = pytest.mark.django_db

MOTIVATION = "J'aime bricoler et je voudrais voir comment on installe un tableau électrique."


def new_pupil(world, **profile):
    return factories.EnrolmentFactory(
        school_class=world["school_class"], **{f"pupil__pupil_profile__{k}": v for k, v in profile.items()}
    ).pupil


def submit(world, pupil=None, offer=None, weeks=None, **kwargs):
    offer = offer or world["offer"]
    return services.application_submit(
        pupil=pupil or new_pupil(world),
        offer=offer,
        motivation=kwargs.pop("motivation", MOTIVATION),
        weeks=weeks if weeks is not None else list(offer.weeks.all()),
        **kwargs,
    )


def move_weeks_to_the_past(offer) -> None:
    for n, week in enumerate(offer.weeks.order_by("week_start")):
        OfferWeek.objects.filter(pk=week.pk).update(week_start=datetime.date(2020, 1, 6) + datetime.timedelta(weeks=n))


def first_week(offer) -> OfferWeek:
    return offer.weeks.order_by("week_start").first()


def accepted(world, pupil=None, week=None):
    application = submit(world, pupil=pupil)
    return services.application_accept(
        application=application, by=world["users"]["employer"], week=week or first_week(world["offer"])
    )


# Submitting ---------------------------------------------------------------------------------------------------------


def test_a_pupil_applies_and_the_employers_are_told(world, mailoutbox, django_capture_on_commit_callbacks):
    pupil = new_pupil(world)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(world, pupil=pupil)
    assert application.status == ApplicationStatus.SUBMITTED
    assert set(application.weeks.all()) == set(world["offer"].weeks.all())
    assert [message.to for message in mailoutbox] == [[world["users"]["employer"].email]]
    body = mailoutbox[0].body
    assert pupil.display_name in body
    assert pupil.last_name not in body  # employers see a first name and an initial
    assert f"/candidatures/{application.pk}/" in body


def test_the_association_that_posted_the_offer_is_told_too(world, mailoutbox, django_capture_on_commit_callbacks):
    offer = world["association_offer"]
    employer = factories.OrganisationMembershipFactory(organisation=offer.organisation).user
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, offer=offer)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [employer.email, world["users"]["association_staff"].email]
    )


def test_a_second_application_to_the_same_offer_is_refused(world):
    pupil = world["users"]["pupil"]  # she already applied (world["application"])
    with pytest.raises(services.ApplicationError, match="déjà candidaté"):
        submit(world, pupil=pupil)
    assert Application.objects.filter(pupil=pupil).count() == 1


def test_the_database_refuses_a_duplicate_too(world):
    with pytest.raises(IntegrityError):
        Application.objects.create(offer=world["offer"], pupil=world["users"]["pupil"], motivation=MOTIVATION)


def test_a_duplicate_slipping_past_the_check_gets_the_same_message(world, monkeypatch):
    monkeypatch.setattr(services, "application_refusal", lambda **kwargs: None)
    with pytest.raises(services.ApplicationError, match="déjà candidaté"):
        submit(world, pupil=world["users"]["pupil"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w, p, o: setattr(p.pupil_profile, "consent_status", ConsentStatus.PENDING), "accord"),
        (lambda w, p, o: p.enrolments.update(left_at=timezone.now()), "Rejoins"),
        (lambda w, p, o: o.__class__.objects.filter(pk=o.pk).update(status=OfferStatus.UNPUBLISHED), "plus ouverte"),
        (lambda w, p, o: o.__class__.objects.filter(pk=o.pk).update(hidden_at=timezone.now()), "plus ouverte"),
        (lambda w, p, o: o.__class__.objects.filter(pk=o.pk).update(track=Track.PFMP), "ne correspond pas"),
        (lambda w, p, o: w["school_class"].__class__.objects.update(level=Level.CAP_1), "ne correspond pas"),
        (lambda w, p, o: w["school_class"].__class__.objects.update(level=Level.QUATRIEME), "ne correspond pas"),
        (lambda w, p, o: o.weeks.update(seats_taken=2), "complète"),
        (lambda w, p, o: move_weeks_to_the_past(o), "complète"),
        (
            lambda w, p, o: o.__class__.objects.filter(pk=o.pk).update(reservation=Reservation.SCHOOLS),
            "plus ouverte",
        ),
    ],
    ids=[
        "consent pending",
        "no class",
        "unpublished",
        "hidden",
        "pfmp offer for a 3e pupil",
        "3e offer for a lycée pro pupil",
        "4e pupil",
        "full",
        "weeks passed",
        "reserved to other schools",
    ],
)
def test_who_may_not_apply(world, change, message):
    pupil = new_pupil(world)
    offer = world["offer"]
    change(world, pupil, offer)
    pupil.pupil_profile.save()
    offer.refresh_from_db()
    pupil = pupil.__class__.objects.get(pk=pupil.pk)
    with pytest.raises(services.ApplicationError, match=message):
        submit(world, pupil=pupil, offer=offer)
    assert not Application.objects.filter(pupil=pupil).exists()


def test_a_lycee_pro_pupil_applies_to_a_pfmp(world):
    school_class = factories.SchoolClassFactory(school=world["school"], level=Level.SECONDE_PRO)
    pupil = factories.EnrolmentFactory(school_class=school_class).pupil
    offer = factories.OfferFactory(pfmp=True)
    assert submit(world, pupil=pupil, offer=offer).status == ApplicationStatus.SUBMITTED


def test_a_pupil_who_needs_no_consent_applies(world):
    pupil = new_pupil(world, consent_status=ConsentStatus.NOT_REQUIRED)
    assert submit(world, pupil=pupil).pupil == pupil


def test_a_priority_offer_is_open_to_a_priority_school_pupil(world):
    offer = factories.OfferFactory(reservation=Reservation.PRIORITY)
    assert submit(world, offer=offer).offer == offer


def test_adults_may_not_apply(world):
    with pytest.raises(services.ApplicationError, match="Seuls les élèves"):
        submit(world, pupil=world["users"]["teacher"])


@pytest.mark.parametrize(
    ("motivation", "weeks", "field"),
    [
        ("Trop court", None, "motivation"),
        ("   " + "x" * 15 + "    ", None, "motivation"),
        ("x" * 2001, None, "motivation"),
        (MOTIVATION, [], "weeks"),
    ],
    ids=["short", "short once stripped", "long", "no week"],
)
def test_invalid_input_writes_nothing(world, motivation, weeks, field):
    pupil = new_pupil(world)
    with pytest.raises(services.ApplicationError) as caught:
        submit(world, pupil=pupil, motivation=motivation, weeks=weeks)
    assert caught.value.field == field
    assert not Application.objects.filter(pupil=pupil).exists()


def test_weeks_of_another_offer_full_or_past_are_refused(world):
    other = factories.OfferFactory()
    full = first_week(world["offer"])
    OfferWeek.objects.filter(pk=full.pk).update(seats_taken=full.seats)
    past = OfferWeek.objects.create(offer=world["offer"], week_start=datetime.date(2020, 1, 6), seats=3)
    for weeks in ([first_week(other)], [full], [past]):
        pupil = new_pupil(world)
        with pytest.raises(services.ApplicationError, match="plus de place") as caught:
            submit(world, pupil=pupil, weeks=weeks)
        assert caught.value.field == "weeks"
        assert not Application.objects.filter(pupil=pupil).exists()


def test_weeks_of_an_internship_she_confirmed_are_no_longer_open_to_her(world):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    services.application_confirm(application=application, pupil=pupil)
    other = factories.OfferFactory()
    open_weeks = services.application_weeks_open_to(pupil=pupil, offer=other)
    assert [week.week_start for week in open_weeks] == [factories.next_monday(5)]
    with pytest.raises(services.ApplicationError, match="plus de place"):
        submit(world, pupil=pupil, offer=other, weeks=[first_week(other)])


# Reading and answering -----------------------------------------------------------------------------------------------


def test_an_employer_opening_it_marks_it_read_once(world):
    application = world["application"]
    assert services.application_mark_read(application=application, by=world["users"]["employer"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READ
    read_at = application.read_at
    assert not services.application_mark_read(application=application, by=world["users"]["employer"])
    application.refresh_from_db()
    assert application.read_at == read_at


@pytest.mark.parametrize("role", ["platform_staff", "teacher", "professional", "association_staff"])
def test_others_opening_it_leave_it_unread(world, role):
    application = world["application"]
    assert not services.application_mark_read(application=application, by=world["users"][role])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_accept_tells_the_teachers(world, mailoutbox, django_capture_on_commit_callbacks):
    application = world["application"]
    week = first_week(world["offer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application=application, by=world["users"]["employer"], week=week)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.week == week
    assert application.answered_at is not None
    assert application.read_at is not None
    assert [message.to for message in mailoutbox] == [[world["users"]["teacher"].email]]
    assert world["users"]["pupil"].get_full_name() in mailoutbox[0].body  # teachers know the full name
    assert "acceptée" in mailoutbox[0].body


def test_accept_needs_one_of_the_weeks_she_asked_for_with_a_seat(world):
    application = world["application"]  # asked for the first week only
    employer = world["users"]["employer"]
    second = world["offer"].weeks.order_by("week_start").last()
    with pytest.raises(services.ApplicationError, match="semaines demandées"):
        services.application_accept(application=application, by=employer, week=second)
    week = first_week(world["offer"])
    OfferWeek.objects.filter(pk=week.pk).update(seats_taken=week.seats)
    with pytest.raises(services.ApplicationError, match="plus de place"):
        services.application_accept(application=application, by=employer, week=week)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.week is None


@pytest.mark.parametrize("role", ["teacher", "professional", "association_staff", "pupil", "no_role"])
def test_only_managers_answer(world, role):
    application = world["application"]
    with pytest.raises(services.ApplicationError, match="gèrent cette offre"):
        services.application_accept(application=application, by=world["users"][role], week=first_week(world["offer"]))
    with pytest.raises(services.ApplicationError, match="gèrent cette offre"):
        services.application_decline(application=application, by=world["users"][role], reason=DeclineReason.FULL)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_association_staff_answer_the_offers_they_posted(world):
    application = submit(world, offer=world["association_offer"])
    services.application_decline(
        application=application, by=world["users"]["association_staff"], reason=DeclineReason.WEEKS
    )
    assert application.status == ApplicationStatus.DECLINED


def test_decline_with_a_reason_tells_the_teachers(world, mailoutbox, django_capture_on_commit_callbacks):
    application = world["application"]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(
            application=application, by=world["users"]["employer"], reason=DeclineReason.OTHER, detail="Atelier fermé"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert (application.decline_reason, application.decline_detail) == (DeclineReason.OTHER, "Atelier fermé")
    assert [message.to for message in mailoutbox] == [[world["users"]["teacher"].email]]
    assert "Atelier fermé" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("reason", "detail", "field"), [("", "", "reason"), ("nope", "", "reason"), ("other", "  ", "detail")]
)
def test_decline_needs_a_reason_and_details_for_other(world, reason, detail, field):
    application = world["application"]
    with pytest.raises(services.ApplicationError) as caught:
        services.application_decline(
            application=application, by=world["users"]["employer"], reason=reason, detail=detail
        )
    assert caught.value.field == field
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_acceptance_can_be_moved_to_another_week_or_declined_before_confirmation(world):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    second = world["offer"].weeks.order_by("week_start").last()
    services.application_accept(application=application, by=world["users"]["employer"], week=second)
    assert application.week == second
    services.application_decline(application=application, by=world["users"]["employer"], reason=DeclineReason.FULL)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert application.week is None


@pytest.mark.parametrize(
    "status", [ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED, "confirmed"]
)
def test_closed_applications_cannot_be_answered(world, status):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(status=status)
    employer = world["users"]["employer"]
    with pytest.raises(services.ApplicationError, match="plus l'accepter"):
        services.application_accept(application=application, by=employer, week=first_week(world["offer"]))
    with pytest.raises(services.ApplicationError, match="plus la refuser"):
        services.application_decline(application=application, by=employer, reason=DeclineReason.FULL)
    application.refresh_from_db()
    assert application.status == status


# The pupil confirms or withdraws -------------------------------------------------------------------------------------


def test_confirm_takes_a_seat_and_tells_the_teachers(world, mailoutbox, django_capture_on_commit_callbacks):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_confirm(application=application, pupil=pupil)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED
    assert application.confirmed_at
    assert OfferWeek.objects.get(pk=application.week_id).seats_taken == 1
    updates = [message for message in mailoutbox if "convention" not in message.subject]
    assert [message.to for message in updates] == [[world["users"]["teacher"].email]]
    assert "confirmé" in updates[0].body
    # The agreement to sign goes to the school's head and the organisation's employer (tests/offers/test_agreements).
    assert sorted(message.to[0] for message in mailoutbox if "convention" in message.subject) == sorted(
        [world["users"]["school_head"].email, world["users"]["employer"].email]
    )


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.READ,
        ApplicationStatus.DECLINED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.EXPIRED,
        ApplicationStatus.CONFIRMED,
    ],
)
def test_only_an_acceptance_can_be_confirmed(world, status):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    Application.objects.filter(pk=application.pk).update(status=status)
    with pytest.raises(services.ApplicationError, match="rien à confirmer"):
        services.application_confirm(application=application, pupil=pupil)
    assert OfferWeek.objects.get(pk=application.week_id).seats_taken == 0


def test_only_she_confirms_and_withdraws(world):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    for other in (world["users"]["pupil"], world["users"]["employer"], world["users"]["teacher"]):
        with pytest.raises(services.ApplicationError, match="Seul l'élève"):
            services.application_confirm(application=application, pupil=other)
        with pytest.raises(services.ApplicationError, match="Seul l'élève"):
            services.application_withdraw(application=application, pupil=other)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_confirm_after_seven_days_is_refused(world):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    late = application.answered_at + datetime.timedelta(days=7, seconds=1)
    with pytest.raises(services.ApplicationError, match="7 jours"):
        services.application_confirm(application=application, pupil=pupil, now=late)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_confirm_without_a_seat_left_is_refused_and_stays_accepted(world):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    OfferWeek.objects.filter(pk=application.week_id).update(seats_taken=2)
    with pytest.raises(services.ApplicationError, match="plus de place"):
        services.application_confirm(application=application, pupil=pupil)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert OfferWeek.objects.get(pk=application.week_id).seats_taken == 2
    # The employer proposes the other week, and she confirms it.
    second = world["offer"].weeks.order_by("week_start").last()
    application.weeks.add(second)
    services.application_accept(application=application, by=world["users"]["employer"], week=second)
    services.application_confirm(application=application, pupil=pupil)
    assert OfferWeek.objects.get(pk=second.pk).seats_taken == 1


def test_confirming_withdraws_her_other_pending_applications_for_the_same_week(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    pupil = new_pupil(world)
    same_week = factories.next_monday(4)
    other_week = factories.next_monday(8)
    same = factories.OfferFactory(weeks=[same_week, other_week])
    same_and_other = factories.OfferFactory(weeks=[same_week, other_week])
    elsewhere = factories.OfferFactory(weeks=[other_week])
    accepted_same = factories.OfferFactory(weeks=[same_week])
    accepted_other = factories.OfferFactory(weeks=[same_week, other_week])
    employer = factories.OrganisationMembershipFactory(organisation=accepted_same.organisation).user

    mine = accepted(world, pupil=pupil)  # the world offer, first week = same_week
    a = submit(world, pupil=pupil, offer=same, weeks=[first_week(same)])
    b = submit(world, pupil=pupil, offer=same_and_other, weeks=list(same_and_other.weeks.all()))
    c = submit(world, pupil=pupil, offer=elsewhere)
    d = submit(world, pupil=pupil, offer=accepted_same)
    services.application_accept(application=d, by=employer, week=first_week(accepted_same))
    e = submit(world, pupil=pupil, offer=accepted_other, weeks=list(accepted_other.weeks.all()))
    services.application_accept(
        application=e, by=factories.UserFactory(staff=True), week=accepted_other.weeks.get(week_start=other_week)
    )
    Application.objects.filter(pk=a.pk).update(status=ApplicationStatus.READ)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.application_confirm(application=mine, pupil=pupil)
    statuses = dict(Application.objects.filter(pupil=pupil).values_list("pk", "status"))
    assert statuses == {
        mine.pk: ApplicationStatus.CONFIRMED,
        a.pk: ApplicationStatus.WITHDRAWN,
        b.pk: ApplicationStatus.WITHDRAWN,
        c.pk: ApplicationStatus.SUBMITTED,
        d.pk: ApplicationStatus.WITHDRAWN,
        e.pk: ApplicationStatus.ACCEPTED,
    }
    # The employer who had accepted her for that week learns that she will not come.
    assert employer.email in [message.to[0] for message in mailoutbox]


def test_withdraw_a_pending_application(world):
    application = world["application"]
    services.application_withdraw(application=application, pupil=world["users"]["pupil"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.closed_at


def test_withdraw_a_confirmed_one_frees_its_seat_and_tells_the_employer(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    pupil = new_pupil(world)
    application = accepted(world, pupil=pupil)
    services.application_confirm(application=application, pupil=pupil)
    assert OfferWeek.objects.get(pk=application.week_id).seats_taken == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application, pupil=pupil)
    assert OfferWeek.objects.get(pk=application.week_id).seats_taken == 0
    assert [message.to for message in mailoutbox] == [[world["users"]["employer"].email]]
    assert "de nouveau libre" in mailoutbox[0].body


@pytest.mark.parametrize(
    "status", [ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED]
)
def test_closed_applications_cannot_be_withdrawn(world, status):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(status=status)
    with pytest.raises(services.ApplicationError, match="ne peut plus être retirée"):
        services.application_withdraw(application=application, pupil=world["users"]["pupil"])


# Teachers' note and the pupil's highlight ---------------------------------------------------------------------------


def test_the_teachers_note(world):
    application = world["application"]
    services.application_note_set(application=application, by=world["users"]["teacher"], note="  Relancer  ")
    application.refresh_from_db()
    assert application.teacher_note == "Relancer"
    for role in ("employer", "pupil", "professional"):
        with pytest.raises(services.ApplicationError):
            services.application_note_set(application=application, by=world["users"][role], note="x")
    with pytest.raises(services.ApplicationError, match="trop longue"):
        services.application_note_set(application=application, by=world["users"]["teacher"], note="x" * 2001)
    application.refresh_from_db()
    assert application.teacher_note == "Relancer"


def test_a_change_she_has_not_seen_is_highlighted_until_she_sees_it(world):
    from backend.offers.application_selectors import has_unread_change

    pupil = new_pupil(world)
    application = submit(world, pupil=pupil)
    assert not has_unread_change(application)
    services.application_mark_read(application=application, by=world["users"]["employer"])
    application.refresh_from_db()
    assert has_unread_change(application)
    services.applications_seen_by_pupil(pupil=pupil, applications=[application])
    application.refresh_from_db()
    assert not has_unread_change(application)
    services.application_accept(
        application=application, by=world["users"]["employer"], week=first_week(world["offer"])
    )
    application.refresh_from_db()
    assert has_unread_change(application)
    # Her own actions are never news to her.
    services.application_confirm(application=application, pupil=pupil)
    application.refresh_from_db()
    assert not has_unread_change(application)
