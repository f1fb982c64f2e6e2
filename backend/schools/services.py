import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import MembershipStatus
from backend.accounts.memberships import membership_confirm
from backend.accounts.services import pupil_account_create
from backend.schools.enums import StaffRole
from backend.schools.models import Enrolment, School, SchoolClass, SchoolStaff, new_join_code


class SchoolError(Exception):
    """A rule refused the operation; the message is meant for the person."""


def current_school_year(today: datetime.date | None = None) -> int:
    """The year of the last rentrée: classes of 2026-2027 are created from August 2026 on."""
    today = today or timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


@transaction.atomic
def school_staff_request(*, user, school: School, role: StaffRole) -> SchoolStaff:
    if user.is_pupil:
        raise SchoolError(_("Un compte d'élève ne peut pas rejoindre l'équipe d'un établissement."))
    membership, created = SchoolStaff.objects.get_or_create(user=user, school=school, defaults={"role": role})
    if not created:
        raise SchoolError(_("Vous avez déjà demandé à rejoindre cet établissement."))
    return membership


@transaction.atomic
def school_staff_confirm(*, membership: SchoolStaff, by) -> SchoolStaff:
    return membership_confirm(membership=membership, by=by)


@transaction.atomic
def school_staff_refuse(*, membership: SchoolStaff) -> None:
    if membership.status == MembershipStatus.CONFIRMED:
        raise SchoolError(_("Cette personne fait déjà partie de l'équipe."))
    membership.delete()


def _unique_join_code() -> str:
    for _attempt in range(20):
        code = new_join_code()
        if not SchoolClass.objects.filter(join_code=code).exists():
            return code
    raise SchoolError(_("Impossible de créer un code pour le moment. Réessayez."))


@transaction.atomic
def school_class_create(
    *, school: School, teacher, name: str, level: str, specialty: str = "", school_year: int
) -> SchoolClass:
    if SchoolClass.objects.filter(school=school, school_year=school_year, name__iexact=name.strip()).exists():
        raise SchoolError(_("Une classe porte déjà ce nom dans l'établissement pour cette année scolaire."))
    try:
        with transaction.atomic():
            school_class = SchoolClass.objects.create(
                school=school,
                name=name.strip(),
                level=level,
                specialty=specialty.strip(),
                school_year=school_year,
                join_code=_unique_join_code(),
                created_by=teacher,
            )
    except IntegrityError as error:
        raise SchoolError(_("Une classe porte déjà ce nom dans l'établissement pour cette année scolaire.")) from error
    school_class.teachers.add(teacher)
    return school_class


def internship_week_refusal(*, school_class: SchoolClass, week: datetime.date | None) -> str | None:
    """Why `week` cannot be the class's internship week, or None. The week is given by its Monday and falls in the
    class's school year (September to August); None clears it."""
    if week is None:
        return None
    if week.weekday() != 0:
        return _("Indiquez le lundi de la semaine de stage.")
    first = datetime.date(school_class.school_year, 9, 1) - datetime.timedelta(days=6)
    last = datetime.date(school_class.school_year + 1, 8, 31)
    if not first <= week <= last:
        return _("La semaine de stage doit tomber pendant l'année scolaire %(year)s de la classe.") % {
            "year": school_class.school_year_label
        }
    return None


@transaction.atomic
def class_internship_week_set(*, school_class: SchoolClass, week: datetime.date | None) -> SchoolClass:
    """The school sets (or clears) the week its class leaves for the internship."""
    refusal = internship_week_refusal(school_class=school_class, week=week)
    if refusal:
        raise SchoolError(refusal)
    school_class.internship_week = week
    school_class.save(update_fields=["internship_week"])
    return school_class


@transaction.atomic
def join_code_rotate(*, school_class: SchoolClass) -> SchoolClass:
    """A new code replaces the old one, which stops working at once."""
    school_class.join_code = _unique_join_code()
    school_class.join_code_enabled = True
    school_class.save(update_fields=["join_code", "join_code_enabled"])
    return school_class


@transaction.atomic
def join_code_set_enabled(*, school_class: SchoolClass, enabled: bool) -> SchoolClass:
    school_class.join_code_enabled = enabled
    school_class.save(update_fields=["join_code_enabled"])
    return school_class


# Guessing a class code: twenty wrong codes an hour from one address, then wait.
JOIN_ATTEMPTS_PER_HOUR = 20


def _attempts_key(client_id: str) -> str:
    return f"schools:join-attempts:{client_id}"


def join_code_check(*, code: str, client_id: str) -> SchoolClass:
    """The class a code opens, or a SchoolError saying why not (wrong, replaced, closed, too many tries)."""
    key = _attempts_key(client_id)
    if cache.get(key, 0) >= JOIN_ATTEMPTS_PER_HOUR:
        raise SchoolError(_("Trop de codes essayés. Attends une heure ou demande de l'aide à ton professeur."))
    normalised = "".join(code.split()).upper()
    school_class = (
        SchoolClass.objects.select_related("school").filter(join_code=normalised, archived_at__isnull=True).first()
    )
    if school_class is None:
        cache.add(key, 0, timeout=3600)
        cache.incr(key)
        raise SchoolError(
            _("Ce code ne correspond à aucune classe. Vérifie-le : il a peut-être été changé par ton professeur.")
        )
    if not school_class.join_code_enabled:
        raise SchoolError(
            _("Les inscriptions dans cette classe sont fermées. Demande à ton professeur de les rouvrir.")
        )
    return school_class


@transaction.atomic
def pupil_join_class(
    *,
    school_class: SchoolClass,
    code: str,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    password: str,
    time_zone: str,
):
    """Creates the pupil's account and puts her in the class, if the code still opens it."""
    locked = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if locked.join_code != code or not locked.join_code_enabled or locked.archived_at is not None:
        raise SchoolError(
            _("Le code de la classe a changé ou les inscriptions sont fermées. Recommence avec le nouveau code.")
        )
    pupil = pupil_account_create(
        first_name=first_name, last_name=last_name, birth_date=birth_date, password=password, time_zone=time_zone
    )
    Enrolment.objects.create(pupil=pupil, school_class=locked)
    return pupil
