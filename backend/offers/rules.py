"""Rules about offers that need no database: ISO weeks and the daily schedule's legal limits.

Pure functions, unit-tested on their own; forms, services and the partner API call them so that a rule lives
in one place.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.offers.enums import Track

ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
ROME_CODE = re.compile(r"^[A-N]\d{4}$")

WEEKDAYS = {
    1: gettext_lazy("lundi"),
    2: gettext_lazy("mardi"),
    3: gettext_lazy("mercredi"),
    4: gettext_lazy("jeudi"),
    5: gettext_lazy("vendredi"),
    6: gettext_lazy("samedi"),
    7: gettext_lazy("dimanche"),
}

# Stage d'observation de 3e (Code de l'éducation, art. D. 332-14 and the model agreement): 7 hours a day at
# most, 35 a week, Monday to Friday, never between 22:00 and 06:00. Pupils in a PFMP are minors too, under the
# labour code's limits for young workers (art. L3162-1): 8 hours a day, 35 a week, no night work.
LIMITS = {
    Track.OBSERVATION_3E: {"day_minutes": 7 * 60, "week_minutes": 35 * 60, "days": {1, 2, 3, 4, 5}},
    Track.PFMP: {"day_minutes": 8 * 60, "week_minutes": 35 * 60, "days": {1, 2, 3, 4, 5, 6}},
}
EARLIEST = 6 * 60  # 06:00
LATEST = 22 * 60  # 22:00
MAX_RANGES_PER_DAY = 2


def parse_iso_week(value: str) -> datetime.date:
    """The Monday of an ISO week written "2027-W03"; ValidationError for "2027-W60" or "2027-W53"."""
    match = ISO_WEEK.match(str(value).strip())
    if not match:
        raise ValidationError(
            _("« %(value)s » n'est pas une semaine : écrivez-la comme 2027-W03 (année, W, numéro de semaine)."),
            code="invalid_week",
            params={"value": value},
        )
    year, week = int(match[1]), int(match[2])
    try:
        return datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValidationError(
            _("L'année %(year)s n'a pas de semaine n° %(week)s."),
            code="invalid_week",
            params={"year": year, "week": week},
        ) from None


def iso_week(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_end(monday: datetime.date) -> datetime.date:
    """The Sunday closing the week."""
    return monday + datetime.timedelta(days=6)


def validate_rome_code(value: str) -> None:
    if value and not ROME_CODE.match(value):
        raise ValidationError(
            _("Un code ROME s'écrit avec une lettre de A à N suivie de 4 chiffres, par exemple F1602."),
            code="invalid_rome_code",
        )


def _minutes(value: str) -> int:
    match = re.match(r"^([01]\d|2[0-4]):([0-5]\d)$", str(value))
    if not match or (int(match[1]) == 24 and int(match[2])):
        raise ValidationError(
            _("« %(value)s » n'est pas une heure : écrivez-la comme 09:30."),
            code="invalid_time",
            params={"value": value},
        )
    return int(match[1]) * 60 + int(match[2])


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def schedule_minutes(schedule: dict) -> dict[int, int]:
    """Minutes of presence per weekday of a valid schedule."""
    return {
        int(day): sum(_minutes(end) - _minutes(start) for start, end in ranges)
        for day, ranges in schedule.items()
        if ranges
    }


def validate_schedule(schedule, track: str) -> dict:
    """Check a weekly schedule and return it normalised.

    A schedule maps ISO weekday numbers ("1" = Monday … "7" = Sunday) to at most two time ranges
    ``[["09:00", "12:00"], ["13:30", "17:00"]]``. Raises one ValidationError listing every problem, each in
    words the employer can act on.
    """
    if not isinstance(schedule, dict):
        raise ValidationError(_("L'emploi du temps n'a pas la bonne forme."), code="invalid_schedule")
    limits = LIMITS.get(track, LIMITS[Track.PFMP])
    errors: list[str] = []
    normalised: dict[str, list[list[str]]] = {}
    total = 0
    for key, ranges in sorted(schedule.items(), key=lambda item: str(item[0])):
        try:
            day = int(key)
        except (TypeError, ValueError):
            day = 0
        if day not in WEEKDAYS:
            errors.append(
                _("« %(day)s » n'est pas un jour de la semaine (1 pour lundi … 7 pour dimanche).") % {"day": key}
            )
            continue
        if not ranges:
            continue
        name = WEEKDAYS[day]
        if day not in limits["days"]:
            if track == Track.OBSERVATION_3E:
                errors.append(
                    _("Un stage d'observation de 3e a lieu du lundi au vendredi : pas de %(day)s.") % {"day": name}
                )
            else:
                errors.append(_("Pas de présence le %(day)s : les élèves accueillis sont mineurs.") % {"day": name})
            continue
        if not isinstance(ranges, list | tuple) or len(ranges) > MAX_RANGES_PER_DAY:
            errors.append(
                _("Le %(day)s : indiquez une ou deux plages horaires (matin et après-midi).") % {"day": name}
            )
            continue
        day_total = 0
        previous_end = None
        clean_ranges = []
        for pair in ranges:
            try:
                start_text, end_text = pair
                start, end = _minutes(start_text), _minutes(end_text)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            except (TypeError, ValueError):
                errors.append(_("Le %(day)s : chaque plage a une heure de début et une heure de fin.") % {"day": name})
                continue
            if end <= start:
                errors.append(
                    _("Le %(day)s : la plage %(start)s – %(end)s finit avant de commencer.")
                    % {"day": name, "start": start_text, "end": end_text}
                )
                continue
            if start < EARLIEST or end > LATEST:
                errors.append(
                    _("Le %(day)s : aucune présence n'est permise entre 22 h et 6 h (plage %(start)s – %(end)s).")
                    % {"day": name, "start": start_text, "end": end_text}
                )
            if previous_end is not None and start < previous_end:
                errors.append(_("Le %(day)s : les plages horaires se chevauchent.") % {"day": name})
            previous_end = end
            day_total += end - start
            clean_ranges.append([start_text, end_text])
        if day_total > limits["day_minutes"]:
            errors.append(
                _("Le %(day)s : %(hours)s de présence, au-delà des %(limit)s permises par jour.")
                % {"day": name, "hours": format_minutes(day_total), "limit": format_minutes(limits["day_minutes"])}
            )
        total += day_total
        if clean_ranges:
            normalised[str(day)] = clean_ranges
    if not errors and not normalised:
        errors.append(_("Indiquez au moins un jour de présence avec ses horaires."))
    if total > limits["week_minutes"]:
        errors.append(
            _("%(hours)s de présence sur la semaine, au-delà des %(limit)s permises.")
            % {"hours": format_minutes(total), "limit": format_minutes(limits["week_minutes"])}
        )
    if errors:
        raise ValidationError(errors, code="invalid_schedule")
    return normalised


def default_schedule() -> dict:
    """Monday to Friday, 9:00–12:00 and 13:30–17:00: 6 h 30 a day, 32 h 30 a week."""
    return {str(day): [["09:00", "12:00"], ["13:30", "17:00"]] for day in range(1, 6)}
