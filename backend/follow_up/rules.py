"""The rules of the questionnaires, pure: when one opens and closes, whether its event took place, what an answer
must hold. No database here; `selectors` finds who took part and applies these.

- A questionnaire opens when its event ends and closes `FEEDBACK_WINDOW_DAYS` (60) days later.
- A discovery session took place if it was published and not cancelled (a session still in draft or only proposed
  when its time passed never took place).
- A tutoring appointment took place if it is still booked (the tutor did not mark it) or marked attended; not if it
  was cancelled (or moved: the old booking is cancelled), nor if the pupil did not come (no-show): then there is
  nothing to give an opinion on, for the pupil or the tutor.
- An internship took place if the pupil confirmed it; it ends when its week's Friday is over, in the offer's time
  zone (Saturday 00:00 local time).
"""

import datetime
import enum
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from backend.follow_up.enums import HelpedChoose, RespondentRole
from backend.follow_up.models import COMMENT_MAX
from backend.offers.enums import ApplicationStatus
from scheduling.enums import BookingStatus, SessionStatus

TUTORING_HELD = (BookingStatus.BOOKED, BookingStatus.ATTENDED)
DEFAULT_TIME_ZONE = "Europe/Paris"


class State(enum.StrEnum):
    OPEN = "open"  # may be answered now
    ANSWERED = "answered"
    NOT_YET = "not_yet"  # the event has not ended
    CLOSED = "closed"  # past the window
    NOT_HELD = "not_held"  # cancelled, or the pupil did not come


def window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FEEDBACK_WINDOW_DAYS)


def closes_at(ends_at: datetime.datetime) -> datetime.datetime:
    """The last moment the questionnaire of an event that ends at `ends_at` can be answered."""
    return ends_at + window()


def state(*, held: bool, ends_at: datetime.datetime, now: datetime.datetime, answered: bool = False) -> State:
    if answered:
        return State.ANSWERED
    if not held:
        return State.NOT_HELD
    if now < ends_at:
        return State.NOT_YET
    if now > closes_at(ends_at):
        return State.CLOSED
    return State.OPEN


def session_held(status: str) -> bool:
    return status == SessionStatus.PUBLISHED


def tutoring_held(status: str) -> bool:
    return status in TUTORING_HELD


def internship_held(status: str) -> bool:
    return status == ApplicationStatus.CONFIRMED


def internship_ends_at(week_start: datetime.date, time_zone: str = DEFAULT_TIME_ZONE) -> datetime.datetime:
    """The end of an internship week (Monday `week_start`): the Saturday 00:00 that follows, local time, in UTC."""
    saturday = week_start + datetime.timedelta(days=5)
    zone = zoneinfo.ZoneInfo(time_zone or DEFAULT_TIME_ZONE)
    return datetime.datetime.combine(saturday, datetime.time(0), tzinfo=zone).astimezone(datetime.UTC)


def respondent_role(*, is_pupil: bool) -> RespondentRole:
    return RespondentRole.PUPIL if is_pupil else RespondentRole.HOST


def clean_answer(*, role: str, satisfaction, helped_choose: str, comment: str) -> tuple[dict, dict[str, str]]:
    """The answer's values as stored, and the errors by field (empty when it may be written).

    Satisfaction from 1 to 5; "it helped me choose" (yes, a little, no) for pupils only, who must give it; a comment
    of at most 1000 characters, for adults only."""
    errors: dict[str, str] = {}
    try:
        satisfaction = int(satisfaction)
    except (TypeError, ValueError):
        satisfaction = None
    if satisfaction is None or not 1 <= satisfaction <= 5:
        if role == RespondentRole.PUPIL:
            errors["satisfaction"] = _("Choisis une réponse, de « Pas du tout satisfait(e) » à « Très satisfait(e) ».")
        else:
            errors["satisfaction"] = _(
                "Choisissez une réponse, de « Pas du tout satisfait(e) » à « Très satisfait(e) »."
            )
    helped_choose = (helped_choose or "").strip()
    comment = (comment or "").strip()
    if role == RespondentRole.PUPIL:
        if helped_choose not in HelpedChoose.values:
            errors["helped_choose"] = _("Réponds « Oui », « Un peu » ou « Non ».")
        if comment:
            errors["comment"] = _("Les élèves ne laissent pas de commentaire.")
    else:
        if helped_choose:
            errors["helped_choose"] = _("Cette question est posée aux élèves seulement.")
        if len(comment) > COMMENT_MAX:
            errors["comment"] = _("Le commentaire fait %(length)s caractères : %(max)s au plus.") % {
                "length": len(comment),
                "max": COMMENT_MAX,
            }
    return {"satisfaction": satisfaction, "helped_choose": helped_choose, "comment": comment}, errors


def one_decimal(value) -> Decimal | None:
    """A mean rounded to one decimal, halves away from zero (3.25 → 3.3), as people round."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage with one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return one_decimal(Decimal(part) * 100 / Decimal(whole))
