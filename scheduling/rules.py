"""Rules about availability that need no database: RRULE parsing, a rule's fields, overlaps between rules, the
cancellation cut-off.

An availability rule keeps its dates in its own fields (`starts_on`, `ends_on`): the RRULE text only says which days
repeat (weekly on some weekdays, or daily, every N weeks/days). Everything here raises
`django.core.exceptions.ValidationError` with translated French messages, keyed by field where a field is at fault.
"""

import datetime
import functools
import zoneinfo

from dateutil import rrule as dateutil_rrule
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.accounts.enums import TIME_ZONE_NAMES
from scheduling.enums import ExceptionKind, RulePurpose, SlotFormat, Topic

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SLOT_LENGTHS = (30, 45, 60)
MAX_INTERVAL = 4
MAX_BUFFER_MINUTES = 120
MAX_GROUP_SIZE = 30
# How far ahead two rules are compared for overlaps: a year holds every repetition of intervals up to 4 (weeks or
# days) and both changes of daylight saving time.
OVERLAP_LOOKAHEAD_DAYS = 371


def cancel_cutoff_hours() -> int:
    """Hours before an appointment after which the pupil or the tutor can no longer cancel or move it."""
    return int(getattr(settings, "SCHEDULING_CANCEL_CUTOFF_HOURS", 24))


# Read at import for code that wants a constant; services call `cancel_cutoff_hours()` so settings overrides apply.
CANCEL_CUTOFF_HOURS = cancel_cutoff_hours()


# --- RRULE ------------------------------------------------------------------------------------------------------


def parse_rrule(text: str) -> str:
    """The RRULE in a normal form (`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE`), or a ValidationError.

    Accepts an optional "RRULE:" prefix, any case and spaces. Only FREQ (WEEKLY or DAILY), INTERVAL (1 to 4), BYDAY
    (plain weekdays) and WKST are allowed; DTSTART, UNTIL and COUNT are refused, the rule's dates come from its
    fields.
    """
    source = (text or "").strip().upper().replace(" ", "")
    if source.startswith("RRULE:"):
        source = source.removeprefix("RRULE:")
    if not source:
        raise ValidationError(_("Indiquez une règle de récurrence, par exemple FREQ=WEEKLY;BYDAY=MO,WE."))
    parts: dict[str, str] = {}
    for item in source.strip(";").split(";"):
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ValidationError(
                _("La règle de récurrence « %(text)s » est mal formée : chaque partie s'écrit NOM=VALEUR.")
                % {"text": text}
            )
        if name in parts:
            raise ValidationError(_("La règle de récurrence répète « %(name)s ».") % {"name": name})
        parts[name] = value
    if "DTSTART" in parts or "UNTIL" in parts or "COUNT" in parts:
        raise ValidationError(
            _("Les dates de début et de fin se choisissent dans les champs prévus, pas dans la règle de récurrence.")
        )
    unknown = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}
    if unknown:
        raise ValidationError(
            _("La règle de récurrence ne peut contenir que FREQ, INTERVAL, BYDAY et WKST (reçu : %(names)s).")
            % {"names": ", ".join(sorted(unknown))}
        )
    freq = parts.get("FREQ")
    if freq not in ("WEEKLY", "DAILY"):
        raise ValidationError(
            _("Seules les récurrences hebdomadaires (WEEKLY) ou quotidiennes (DAILY) sont possibles.")
        )
    normal = [f"FREQ={freq}"]
    if "INTERVAL" in parts:
        interval = parts["INTERVAL"]
        if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
            raise ValidationError(
                _("L'intervalle de la récurrence doit être un nombre entre 1 et %(max)d.") % {"max": MAX_INTERVAL}
            )
        if int(interval) != 1:
            normal.append(f"INTERVAL={int(interval)}")
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        if any(day not in WEEKDAY_CODES for day in days):
            raise ValidationError(
                _("Les jours de la semaine s'écrivent MO, TU, WE, TH, FR, SA, SU (reçu : %(days)s).")
                % {"days": parts["BYDAY"]}
            )
        normal.append("BYDAY=" + ",".join(code for code in WEEKDAY_CODES if code in days))
    elif freq == "WEEKLY":
        raise ValidationError(_("Une récurrence hebdomadaire doit indiquer ses jours (BYDAY)."))
    if "WKST" in parts:
        if parts["WKST"] not in WEEKDAY_CODES:
            raise ValidationError(_("Le premier jour de la semaine (WKST) doit être MO, TU, WE, TH, FR, SA ou SU."))
        normal.append(f"WKST={parts['WKST']}")
    result = ";".join(normal)
    try:
        dateutil_rrule.rrulestr(result, dtstart=datetime.datetime(2026, 1, 5))  # noqa: DTZ001 - local wall time
    except (ValueError, TypeError) as error:
        raise ValidationError(_("La règle de récurrence « %(text)s » n'est pas valide.") % {"text": text}) from error
    return result


def weekly_rrule(weekdays, *, interval: int = 1) -> str:
    """The RRULE for some weekdays (0 = Monday … 6 = Sunday), as the rules editor's checkboxes give them."""
    days = sorted({int(day) for day in weekdays})
    if not days or any(not 0 <= day <= 6 for day in days):
        raise ValidationError(_("Cochez au moins un jour de la semaine."))
    text = "FREQ=WEEKLY;BYDAY=" + ",".join(WEEKDAY_CODES[day] for day in days)
    if interval != 1:
        text = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY=" + ",".join(WEEKDAY_CODES[day] for day in days)
    return parse_rrule(text)


def rrule_weekdays(text: str) -> list[int]:
    """The weekdays (0 = Monday) of a normalised RRULE; every day for a daily rule."""
    parts = dict(item.partition("=")[::2] for item in text.split(";") if item)
    if "BYDAY" not in parts:
        return list(range(7))
    return [WEEKDAY_CODES.index(code) for code in parts["BYDAY"].split(",")]


@functools.lru_cache(maxsize=8192)
def _recurrence(rrule_text: str, starts_on: datetime.date):
    """The parsed rule, kept with dateutil's own cache of occurrences (thread-safe): parsing and iterating from the
    start cost far more than reading a few dates back."""
    return dateutil_rrule.rrulestr(
        rrule_text,
        dtstart=datetime.datetime.combine(starts_on, datetime.time()),  # naive: a wall-clock date
        cache=True,
    )


def occurrence_dates(rrule_text: str, starts_on: datetime.date, ends_on: datetime.date | None, *, first, last):
    """The local dates on which a rule repeats, between `first` and `last` inclusive (and within its own dates)."""
    first = max(first, starts_on)
    if ends_on is not None:
        last = min(last, ends_on)
    if last < first:
        return []
    recurrence = _recurrence(rrule_text, starts_on)
    return [
        moment.date()
        for moment in recurrence.between(
            datetime.datetime.combine(first, datetime.time()),
            datetime.datetime.combine(last, datetime.time()),
            inc=True,
        )
    ]


# --- A rule's or an exception's fields --------------------------------------------------------------------------


def _check_slot_fields(errors: dict, fields: dict) -> None:
    """Fields shared by rules and extra windows: times, slot length, buffer, format, group size, topics, zone."""
    start_time, end_time = fields.get("start_time"), fields.get("end_time")
    slot_minutes = fields.get("slot_minutes")
    if slot_minutes not in SLOT_LENGTHS:
        errors.setdefault("slot_minutes", []).append(_("Un créneau dure 30, 45 ou 60 minutes."))
    if start_time is None or end_time is None:
        errors.setdefault("start_time", []).append(_("Indiquez l'heure de début et l'heure de fin."))
    elif end_time <= start_time:
        errors.setdefault("end_time", []).append(_("L'heure de fin doit être après l'heure de début."))
    elif slot_minutes in SLOT_LENGTHS:
        length = (end_time.hour * 60 + end_time.minute) - (start_time.hour * 60 + start_time.minute)
        if length < slot_minutes:
            errors.setdefault("end_time", []).append(
                _("La plage doit durer au moins un créneau (%(minutes)d minutes).") % {"minutes": slot_minutes}
            )
    buffer_minutes = fields.get("buffer_minutes", 0)
    if not isinstance(buffer_minutes, int) or not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        errors.setdefault("buffer_minutes", []).append(
            _("La pause entre deux créneaux est comprise entre 0 et %(max)d minutes.") % {"max": MAX_BUFFER_MINUTES}
        )
    slot_format = fields.get("format")
    group_size = fields.get("group_size", 1)
    if slot_format not in SlotFormat.values:
        errors.setdefault("format", []).append(_("Choisissez un format : individuel ou petit groupe."))
    if not isinstance(group_size, int) or not 1 <= group_size <= MAX_GROUP_SIZE:
        errors.setdefault("group_size", []).append(
            _("Un groupe compte de 1 à %(max)d élèves.") % {"max": MAX_GROUP_SIZE}
        )
    elif slot_format == SlotFormat.ONE_TO_ONE and group_size != 1:
        errors.setdefault("group_size", []).append(_("Un créneau individuel accueille un seul élève."))
    topics = fields.get("topics") or []
    if not isinstance(topics, list | tuple) or any(topic not in Topic.values for topic in topics):
        errors.setdefault("topics", []).append(_("Un des thèmes choisis n'existe pas."))
    elif not topics and fields.get("purpose", RulePurpose.TUTORING) == RulePurpose.TUTORING:
        errors.setdefault("topics", []).append(_("Choisissez au moins un thème."))
    if fields.get("time_zone") not in TIME_ZONE_NAMES:
        errors.setdefault("time_zone", []).append(_("Choisissez un fuseau horaire de la liste."))


def validate_rule(**fields) -> dict:
    """Check the fields of an availability rule; return them cleaned (RRULE normalised, topics deduplicated).

    Expected names: rrule, starts_on, ends_on, start_time, end_time, time_zone, slot_minutes, buffer_minutes,
    format, group_size, topics, purpose. Raises a ValidationError keyed by field.
    """
    errors: dict[str, list] = {}
    cleaned = dict(fields)
    cleaned.setdefault("purpose", RulePurpose.TUTORING)
    cleaned.setdefault("buffer_minutes", 0)
    cleaned.setdefault("group_size", 1)
    cleaned.setdefault("topics", [])
    if cleaned["purpose"] not in RulePurpose.values:
        errors.setdefault("purpose", []).append(_("Usage inconnu."))
    try:
        cleaned["rrule"] = parse_rrule(cleaned.get("rrule", ""))
    except ValidationError as error:
        errors.setdefault("rrule", []).extend(error.messages)
    starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
    if starts_on is None:
        errors.setdefault("starts_on", []).append(_("Indiquez la date de début."))
    elif ends_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("La date de fin doit être le même jour ou après la date de début."))
    _check_slot_fields(errors, cleaned)
    if errors:
        raise ValidationError(errors)
    cleaned["topics"] = [topic for topic in Topic.values if topic in set(cleaned["topics"])]
    return cleaned


def validate_exception(**fields) -> dict:
    """Check the fields of an availability exception; return them cleaned.

    An "unavailable" exception needs a date and either no times (the whole day) or both; an "extra" window needs
    times and the slot fields of a rule.
    """
    errors: dict[str, list] = {}
    cleaned = dict(fields)
    cleaned.setdefault("purpose", RulePurpose.TUTORING)
    cleaned.setdefault("buffer_minutes", 0)
    cleaned.setdefault("group_size", 1)
    cleaned.setdefault("topics", [])
    kind = cleaned.get("kind")
    if kind not in ExceptionKind.values:
        errors.setdefault("kind", []).append(_("Choisissez : indisponible ou disponibilité supplémentaire."))
    if cleaned.get("date") is None:
        errors.setdefault("date", []).append(_("Indiquez la date."))
    if kind == ExceptionKind.EXTRA:
        _check_slot_fields(errors, cleaned)
    elif kind == ExceptionKind.UNAVAILABLE:
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if (start_time is None) != (end_time is None):
            errors.setdefault("end_time", []).append(
                _("Indiquez l'heure de début et l'heure de fin, ou aucune des deux pour toute la journée.")
            )
        elif start_time is not None and end_time <= start_time:
            errors.setdefault("end_time", []).append(_("L'heure de fin doit être après l'heure de début."))
        if cleaned.get("time_zone") not in TIME_ZONE_NAMES:
            errors.setdefault("time_zone", []).append(_("Choisissez un fuseau horaire de la liste."))
        cleaned["topics"] = []
    if errors:
        raise ValidationError(errors)
    cleaned["topics"] = [topic for topic in Topic.values if topic in set(cleaned["topics"])]
    return cleaned


# --- Overlaps between rules -------------------------------------------------------------------------------------


def _utc_windows(rule, first: datetime.date, last: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    zone = zoneinfo.ZoneInfo(rule.time_zone)
    windows = []
    for day in occurrence_dates(rule.rrule, rule.starts_on, rule.ends_on, first=first, last=last):
        starts = datetime.datetime.combine(day, rule.start_time, tzinfo=zone).astimezone(datetime.UTC)
        ends = datetime.datetime.combine(day, rule.end_time, tzinfo=zone).astimezone(datetime.UTC)
        windows.append((starts, ends))
    return windows


def rules_overlap(first_rule, second_rule) -> bool:
    """Whether two rules (of one person, one purpose) ever open the same time, compared in UTC over their common
    dates (a year at most, which holds every repetition)."""
    first = max(first_rule.starts_on, second_rule.starts_on) - datetime.timedelta(days=1)
    ends = [rule.ends_on for rule in (first_rule, second_rule) if rule.ends_on is not None]
    last = min([*ends, first + datetime.timedelta(days=OVERLAP_LOOKAHEAD_DAYS)]) + datetime.timedelta(days=1)
    if last < first:
        return False
    mine = _utc_windows(first_rule, first, last)
    theirs = _utc_windows(second_rule, first, last)
    if not mine or not theirs:
        return False
    index = 0
    for starts, ends in mine:
        while index < len(theirs) and theirs[index][1] <= starts:
            index += 1
        if index < len(theirs) and theirs[index][0] < ends:
            return True
    return False


def find_overlapping_rule(rule, others):
    """The first rule among `others` (same purpose as `rule`, other than itself) that overlaps it, or None."""
    for other in others:
        if other.pk is not None and other.pk == rule.pk:
            continue
        if other.purpose != rule.purpose:
            continue
        if rules_overlap(rule, other):
            return other
    return None
