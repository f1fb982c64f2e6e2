"""Who may do what in scheduling. Object checks only; pages are closed by default (LoginRequiredMiddleware)."""

# --- Tutoring -------------------------------------------------------------------------------------------------
# Tutors (a tutor profile, or a confirmed tutor of an association) open slots; pupils book them; the pupil's
# teachers and the staff of the tutor's association watch over the bookings.


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_tutor(user) -> bool:
    """A volunteer tutor: a tutor profile, or a confirmed tutor membership of an association. Never a pupil."""
    if not _authenticated(user) or user.is_pupil:
        return False
    if hasattr(user, "tutor_profile"):
        return True
    from backend.accounts.enums import MembershipStatus
    from backend.organisations.enums import AssociationRole

    return user.association_memberships.filter(role=AssociationRole.TUTOR, status=MembershipStatus.CONFIRMED).exists()


def can_offer_tutoring(user) -> bool:
    """The tutor's week: his settings, rules, exceptions and bookings."""
    return is_tutor(user)


def can_manage_availability(user, owner) -> bool:
    """A person's rules and exceptions: herself only (platform staff use the admin)."""
    return _authenticated(user) and user.pk == owner.pk


def can_book_tutoring(user) -> bool:
    """Searching and booking slots: pupils (the service also asks for the guardian's consent)."""
    return _authenticated(user) and user.is_pupil


def _supervises(user, booking) -> bool:
    from scheduling.selectors import booking_supervisors

    return user in booking_supervisors(booking)


def can_view_booking(user, booking) -> bool:
    """The pupil, the tutor, the pupil's teachers, the staff of the tutor's association, platform staff."""
    if not _authenticated(user):
        return False
    if user.is_staff or user.pk in (booking.pupil_id, booking.slot.tutor_id):
        return True
    return _supervises(user, booking)


def can_cancel_booking(user, booking) -> bool:
    """Either side (the pupil, the tutor) and platform staff; the cut-off is the service's rule."""
    return _authenticated(user) and (user.is_staff or user.pk in (booking.pupil_id, booking.slot.tutor_id))


def can_reschedule_booking(user, booking) -> bool:
    return can_cancel_booking(user, booking)


def can_mark_booking(user, booking) -> bool:
    """Attended or no-show: the tutor, platform staff."""
    return _authenticated(user) and (user.is_staff or user.pk == booking.slot.tutor_id)


# --- Safeguarding ---------------------------------------------------------------------------------------------
# Association staff record the attestations d'honorabilité of the tutors affiliated to their association;
# platform staff, of any tutor.


def can_follow_attestations(user) -> bool:
    """Platform staff and association staff see the tutors' attestation status."""
    return _authenticated(user) and (user.is_staff or bool(staffed_association_ids(user)))


def can_record_attestation(user, tutor) -> bool:
    """Platform staff, or the staff of an association the tutor is affiliated to (a confirmed tutor membership);
    never for oneself."""
    if not _authenticated(user) or user.pk == tutor.pk or not is_tutor(tutor):
        return False
    if user.is_staff:
        return True
    from backend.accounts.enums import MembershipStatus
    from backend.organisations.enums import AssociationRole

    return tutor.association_memberships.filter(
        role=AssociationRole.TUTOR,
        status=MembershipStatus.CONFIRMED,
        association_id__in=staffed_association_ids(user),
    ).exists()


# --- Discovery sessions ---------------------------------------------------------------------------------------
# Who organises, books and takes part in discovery sessions. Association staff organise their association's
# sessions; teachers and school heads book for the classes they manage; pupils book themselves in individual mode.


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def staffed_association_ids(user) -> set[int]:
    """The associations this person organises sessions for, as confirmed staff (cached for the request)."""
    if not _signed_in(user):
        return set()
    cached = getattr(user, "_passerelle_session_associations", None)
    if cached is None:
        from backend.accounts.enums import MembershipStatus
        from backend.organisations.enums import AssociationRole

        cached = set(
            user.association_memberships.filter(
                role=AssociationRole.STAFF, status=MembershipStatus.CONFIRMED
            ).values_list("association_id", flat=True)
        )
        user._passerelle_session_associations = cached
    return cached


def bookable_classes(user):
    """Current classes a person books sessions for: those she teaches in a school where she is confirmed staff, and
    every class of a school she heads. Platform staff book for nobody."""
    from django.db.models import Q

    from backend.accounts.enums import MembershipStatus
    from backend.schools.enums import StaffRole
    from backend.schools.models import SchoolClass, SchoolStaff

    if not _signed_in(user) or user.is_pupil:
        return SchoolClass.objects.none()
    confirmed = SchoolStaff.objects.filter(user=user, status=MembershipStatus.CONFIRMED)
    taught = Q(teachers=user, school__in=confirmed.values("school"))
    headed = Q(school__in=confirmed.filter(role=StaffRole.HEAD).values("school"))
    return (
        SchoolClass.objects.filter(taught | headed, archived_at__isnull=True)
        .distinct()
        .select_related("school")
        .order_by("school__name", "name")
    )


def can_organise_sessions(user) -> bool:
    """The session planner: association staff (their associations) and platform staff (all)."""
    return _signed_in(user) and (user.is_staff or bool(staffed_association_ids(user)))


def can_create_session(user) -> bool:
    """Creating needs an association to organise for: platform staff watch, association staff create."""
    return bool(staffed_association_ids(user))


def can_manage_session(user, session) -> bool:
    """Edit, publish, cancel, confirm its bookings: the organising association's staff, platform staff."""
    return _signed_in(user) and (user.is_staff or session.association_id in staffed_association_ids(user))


def is_session_speaker(user, session) -> bool:
    """A professional or a facilitator of the session."""
    return _signed_in(user) and (
        session.professionals.filter(pk=user.pk).exists() or session.facilitators.filter(pk=user.pk).exists()
    )


def can_browse_sessions(user) -> bool:
    """The list of published sessions: whoever may book (teachers, heads, pupils) and the organisers."""
    if not _signed_in(user):
        return False
    if user.is_pupil or can_organise_sessions(user):
        return True
    return bookable_classes(user).exists()


def _takes_part(user, session) -> bool:
    """A class she manages or she herself holds a booking still in force (pending, confirmed or waitlisted)."""
    from scheduling.models import SessionBooking

    active = SessionBooking.objects.filter(session=session, status__in=SessionBooking.ACTIVE)
    if user.is_pupil:
        return (
            active.filter(pupil=user).exists()
            or active.filter(
                school_class__enrolments__pupil=user, school_class__enrolments__left_at__isnull=True
            ).exists()
        )
    return active.filter(school_class__in=bookable_classes(user)).exists()


def can_view_session(user, session) -> bool:
    """A published session: whoever may browse. Otherwise (draft, proposed, cancelled): its organisers, its
    professionals and facilitators, and those whose class or who themselves hold a booking on it."""
    from scheduling.enums import SessionStatus

    if not _signed_in(user):
        return False
    if can_manage_session(user, session) or is_session_speaker(user, session):
        return True
    if session.status == SessionStatus.PUBLISHED and can_browse_sessions(user):
        return True
    return _takes_part(user, session)


def can_see_video_link(user, session) -> bool:
    """The video link is for the people taking part: organisers, speakers, a confirmed class's teachers and
    pupils, a confirmed pupil."""
    from scheduling.enums import SessionBookingStatus, SessionStatus
    from scheduling.models import SessionBooking

    if not _signed_in(user) or session.status == SessionStatus.CANCELLED:
        return False
    if can_manage_session(user, session) or is_session_speaker(user, session):
        return True
    confirmed = SessionBooking.objects.filter(session=session, status=SessionBookingStatus.CONFIRMED)
    if user.is_pupil:
        return (
            confirmed.filter(pupil=user).exists()
            or confirmed.filter(
                school_class__enrolments__pupil=user, school_class__enrolments__left_at__isnull=True
            ).exists()
        )
    return confirmed.filter(school_class__in=bookable_classes(user)).exists()


def can_book_for_class(user, school_class) -> bool:
    return bookable_classes(user).filter(pk=school_class.pk).exists()


def can_cancel_session_booking(user, booking) -> bool:
    """The organisers; for a class, whoever books for it; for a pupil, herself and those who book for her class."""
    if not _signed_in(user):
        return False
    if can_manage_session(user, booking.session):
        return True
    if booking.school_class_id:
        return can_book_for_class(user, booking.school_class)
    if booking.pupil_id == user.pk:
        return True
    from backend.schools.models import Enrolment

    class_ids = Enrolment.objects.filter(pupil_id=booking.pupil_id, left_at__isnull=True).values("school_class")
    return bookable_classes(user).filter(pk__in=class_ids).exists()


def can_request_session(user) -> bool:
    """Teachers and heads ask an association for a session for one of their classes."""
    return bookable_classes(user).exists()


def can_view_session_request(user, session_request) -> bool:
    if not _signed_in(user):
        return False
    return (
        user.is_staff
        or session_request.association_id in staffed_association_ids(user)
        or can_book_for_class(user, session_request.school_class)
    )


def can_handle_session_request(user, session_request) -> bool:
    """Matching, proposing a time, declining: the asked association's staff."""
    return _signed_in(user) and (user.is_staff or session_request.association_id in staffed_association_ids(user))


def can_answer_session_request(user, session_request) -> bool:
    """Accepting or declining a proposed time, withdrawing the request: whoever books for the class."""
    return can_book_for_class(user, session_request.school_class)


def can_view_class_calendar(user, school_class) -> bool:
    """The class's sessions and its pupils' tutoring appointments: the class's teachers, its school's heads,
    platform staff."""
    from backend.schools.permissions import can_manage_class

    return can_manage_class(user, school_class)


def can_state_session_availability(user) -> bool:
    """Who says when she is free for sessions: confirmed members of a host organisation and association staff."""
    if not _signed_in(user) or user.is_pupil:
        return False
    from backend.accounts.enums import MembershipStatus

    return (
        bool(staffed_association_ids(user))
        or user.organisation_memberships.filter(status=MembershipStatus.CONFIRMED).exists()
    )
