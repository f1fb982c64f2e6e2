"""Offers: catalogue pages (see backend/offers/README.md). Public: no account needed.

- `offers:catalogue` (/offres/): the search form (GET), the results with their count, distance and weeks, a plan
  of the results drawn as inline SVG (no map tiles: closed network, strict CSP) whose text alternative is the
  list itself, and the pagination.
- `offers:detail` (/offres/<pk>/): an offer's page, for whoever `can_view_offer` lets see it (else 404).
"""

import math
from dataclasses import dataclass
from html import escape

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from backend.geo.models import Commune
from backend.offers.enums import OfferFormat, OfferStatus, Reservation, Track
from backend.offers.models import Offer
from backend.offers.permissions import can_view_offer
from backend.offers.rules import WEEKDAYS, format_minutes, schedule_minutes
from backend.offers.search import EARTH_RADIUS_KM, SearchResult, bookable_weeks, default_place, offer_search
from backend.offers.search_forms import OfferSearchForm
from backend.offers.taxonomy import domains

# --- The plan of the results -----------------------------------------------------------------------------------

MAP_SIZE = 320  # the SVG's viewBox, in its own units
MAP_MARGIN = 24
MARKER_RADIUS = 11


@dataclass
class MapPoint:
    """A marker of the plan, its SVG coordinates already written out (a template filter per number was a tenth of
    the page's rendering)."""

    x: float
    y: int
    label: str  # the numbers of the offers at this point, as in the list ("3" or "3, 7")
    width: float  # of the marker, wider for several numbers

    @property
    def svg(self) -> dict[str, str]:
        return {
            "left": f"{self.x - self.width / 2:.1f}",
            "top": str(self.y - MARKER_RADIUS),
            "width": f"{self.width:.1f}",
            "x": f"{self.x:.1f}",
            "baseline": str(self.y + 4),
        }


def result_map(result: SearchResult) -> dict | None:
    """The plan of a page of results around the search's place, or None without a place.

    A local flat projection (kilometres east and north of the centre) is exact enough within 100 km. Offers of
    one commune share its coordinates: one marker carries all their numbers.
    """
    place = result.place
    if place is None or place.latitude is None or place.longitude is None:
        return None
    centre = MAP_SIZE // 2
    scale = (centre - MAP_MARGIN) / result.radius_km  # units per km
    cos_lat = math.cos(math.radians(place.latitude))
    groups: dict[tuple[int, int], list[int]] = {}
    remote = 0
    for offer in result.offers:
        if offer.latitude is None or offer.longitude is None:
            remote += 1
            continue
        east = math.radians(offer.longitude - place.longitude) * EARTH_RADIUS_KM * cos_lat
        north = math.radians(offer.latitude - place.latitude) * EARTH_RADIUS_KM
        key = (round(centre + east * scale), round(centre - north * scale))
        groups.setdefault(key, []).append(offer.number)
    points = []
    for (x, y), numbers in groups.items():
        label = ", ".join(str(number) for number in numbers[:3]) + ("…" if len(numbers) > 3 else "")
        width = max(2 * MARKER_RADIUS, 7.5 * len(label) + 10)
        x = min(max(x, width / 2 + 2), MAP_SIZE - width / 2 - 2)
        points.append(MapPoint(x=x, y=y, label=label, width=width))
    located = len(result.offers) - remote
    return {
        "size": MAP_SIZE,
        "centre": centre,
        "radius": centre - MAP_MARGIN,
        "points": points,
        "located": located,
        "remote": remote,
        "place": place,
        "radius_km": result.radius_km,
        "marker_radius": MARKER_RADIUS,
        "marker_height": 2 * MARKER_RADIUS,
    }


def page_numbers(page: int, num_pages: int) -> list[int | None]:
    """The page links to show: the first, the last, and two around the current one; None for a gap."""
    shown = sorted({1, num_pages, *range(max(1, page - 1), min(num_pages, page + 1) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


# --- The results ------------------------------------------------------------------------------------------------


# What the results list, its entries and the plan read of each offer (offer_search loads nothing else).
LISTED_FIELDS = (
    "title",
    "job_title",
    "track",
    "format",
    "reservation",
    "disability_friendly",
    "latitude",
    "longitude",
    "organisation__name",
    "commune__name",
    "commune__departement_code",
)


@dataclass
class Entry:
    """An offer of the results list, its words already chosen, which writes its own list item (`{{ entry }}`): a
    template tag per word and per offer made the list a third of the page's time, and a dozen template variables
    per offer were still the part of the page that grew with the results."""

    number: int
    url: str
    title: str
    organisation: str
    job: str
    place: str
    weeks: str
    badges: list[tuple[str, str]]

    def __html__(self) -> str:
        badges = "".join(
            f'<li><p class="fr-badge fr-badge--sm fr-badge--{escape(colour)}">{escape(str(label))}</p></li>'
            for colour, label in self.badges
        )
        return mark_safe(  # noqa: S308 - every value is escaped here
            '<li class="offers-result">\n'
            f'  <span class="offers-result__number" aria-hidden="true">{self.number}</span>\n'
            '  <div class="offers-result__body">\n'
            f'    <h3 class="fr-h6 fr-mb-1v"><a href="{escape(self.url)}">{escape(self.title)}</a></h3>\n'
            f'    <p class="fr-text--sm fr-mb-1v">{escape(self.organisation)} — {escape(self.job)}</p>\n'
            f'    <p class="fr-text--sm fr-mb-1v">{escape(self.place)}</p>\n'
            f'    <p class="fr-text--sm fr-mb-1v">{escape(self.weeks)}</p>\n'
            f'    <ul class="fr-badges-group">{badges}</ul>\n'
            "  </div>\n"
            "</li>"
        )

    def __str__(self) -> str:
        return self.__html__()


def result_entries(result: SearchResult) -> list[Entry]:
    labels = {
        "anywhere": _("À distance, d'où que vous soyez"),
        "weeks": _("Semaines avec des places :"),
        Track.PFMP: ("blue-ecume", _("PFMP")),
        Track.OBSERVATION_3E: ("blue-ecume", _("3e")),
        OfferFormat.REMOTE: ("purple-glycine", _("À distance")),
        OfferFormat.HYBRID: ("purple-glycine", _("Sur place et à distance")),
        Reservation.PRIORITY: ("green-emeraude", _("Réservée à l'éducation prioritaire")),
        Reservation.SCHOOLS: ("green-emeraude", _("Réservée à des établissements")),
        "disability": ("yellow-tournesol", _("Accessible aux élèves en situation de handicap")),
    }
    dates: dict = {}  # the same Mondays recur from one offer to the next

    def week_text(week) -> str:
        if week.week_start not in dates:
            dates[week.week_start] = date_format(week.week_start, "j F Y")
        seats = ngettext("%(count)s place", "%(count)s places", week.seats_left) % {"count": week.seats_left}
        return f"{dates[week.week_start]} ({seats})"

    # One reverse() for the page: the offers' addresses differ only by their number.
    detail_url = reverse("offers:detail", args=[0]).removesuffix("0/")
    entries = []
    for offer in result.offers:
        if offer.format == OfferFormat.REMOTE:
            place = labels["anywhere"]
        else:
            place = f"{offer.commune.name} ({offer.commune.departement_code})" if offer.commune else ""
            if offer.distance_km is not None:
                place += " — " + _("à %(distance)s km") % {"distance": number_format(offer.distance_km, 1)}
        weeks = ", ".join(week_text(week) for week in offer.open_weeks[:3])
        others = len(offer.open_weeks) - 3
        if others > 0:
            weeks += ngettext(" et %(count)s autre", " et %(count)s autres", others) % {"count": others}
        badges = [labels[offer.track]] if offer.track in labels else []
        badges += [labels[value] for value in (offer.format, offer.reservation) if value in labels]
        if offer.disability_friendly:
            badges.append(labels["disability"])
        entries.append(
            Entry(
                number=offer.number,
                url=f"{detail_url}{offer.pk}/",
                title=offer.title,
                organisation=offer.organisation.name,
                job=offer.job_title,
                place=place,
                weeks=f"{labels['weeks']} {weeks}",
                badges=badges,
            )
        )
    return entries


# --- The search form, rendered without Django's widget templates -------------------------------------------------


@dataclass
class SearchField:
    """A field of the search form, which renders itself in DSFR markup (`{{ fields.q }}` in the template).

    Django renders each widget and each <option> through a template: on the catalogue, the most visited page,
    that was two thirds of the response time. The fields are written here once, in DSFR markup.
    """

    id: str
    name: str
    label: str
    kind: str  # "text", "date", "select" or "checkbox"
    hint: str = ""
    value: str = ""
    options: str = ""  # the <option>s of a select, escaped
    errors: list[str] | None = None

    @property
    def group(self) -> str:
        return "select" if self.kind == "select" else "input"

    @property
    def described_by(self) -> str:
        ids = ([f"{self.id}_hint"] if self.hint else []) + ([f"{self.id}_error"] if self.errors else [])
        return " ".join(ids)

    def __html__(self) -> str:
        """The field's markup, written here rather than in an included template (eight {% include %} of one were a
        tenth of the page's time), with plain escaping of every value (format_html's per call cost counted too)."""
        error = bool(self.errors)
        field_id = escape(self.id)
        described = f' aria-describedby="{escape(self.described_by)}"' if self.described_by else ""
        hint = f'<span class="fr-hint-text" id="{field_id}_hint">{escape(self.hint)}</span>' if self.hint else ""
        label = f'<label class="fr-label" for="{field_id}">{escape(self.label)}{hint}</label>'
        errors = (
            f'<div id="{field_id}_error">'
            + "".join(f'<p class="fr-error-text">{escape(str(message))}</p>' for message in self.errors)
            + "</div>"
            if error
            else ""
        )
        name = escape(self.name)
        if self.kind == "checkbox":
            return mark_safe(  # noqa: S308 - every value is escaped above
                f'<div class="fr-checkbox-group{" fr-checkbox-group--error" if error else ""}">\n'
                f'  <input type="checkbox" name="{name}" id="{field_id}"{" checked" if self.value else ""}{described}>'
                f"\n  {label}\n  {errors}\n</div>"
            )
        invalid = ' aria-invalid="true"' if error else ""
        if self.kind == "select":
            control = (
                f'<select class="fr-select{" fr-select--error" if error else ""}" id="{field_id}" name="{name}"'
                f"{described}{invalid}>{self.options}</select>\n  "
            )
        else:
            value = f' value="{escape(self.value)}"' if self.value else ""
            control = (
                f'<input class="fr-input{" fr-input--error" if error else ""}" type="{escape(self.kind)}" '
                f'id="{field_id}" name="{name}"{value}{described}{invalid}>'
            )
        group = self.group
        return mark_safe(  # noqa: S308 - every value is escaped above; the options were escaped when made
            f'<div class="fr-{group}-group{f" fr-{group}-group--error" if error else ""}">\n'
            f"  {label}\n  {control}\n  {errors}\n</div>"
        )

    def __str__(self) -> str:
        return self.__html__()


def search_fields(form) -> dict[str, SearchField]:
    fields = {}
    for name, field in form.fields.items():
        if name in ("commune", "page"):
            continue
        bound = form[name]
        value = bound.value()
        if value in (None, "") and field.initial is not None:
            value = field.initial
        if isinstance(field.widget, forms.Select):
            kind, chosen = "select", "" if value is None else str(value)
            # Plain escaping rather than format_html: a page has some 120 options.
            options = mark_safe(  # noqa: S308 - every value and label is escaped here
                "".join(
                    f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
                    f"{escape(str(label))}</option>"
                    for key, label in field.widget.choices
                )
            )
        else:
            widget = field.widget
            kind = (
                "checkbox" if isinstance(widget, forms.CheckboxInput) else widget.attrs.get("type", widget.input_type)
            )
            options = ""
        fields[name] = SearchField(
            id=bound.auto_id,
            name=bound.html_name,
            label=str(field.label),
            kind=kind,
            hint=str(field.help_text or ""),
            value="" if value in (None, False, True) else str(value),
            options=options,
            errors=list(bound.errors),
        )
        if kind == "checkbox":
            fields[name].value = "on" if field.widget.check_test(value) else ""
    return fields


# --- Pages ------------------------------------------------------------------------------------------------------


def _search_data(request):
    """The query string, with a signed-in pupil's school commune as the place when she gave none."""
    data = request.GET.copy()
    if "commune" not in data and "commune_code" not in data:
        place = default_place(request.user)
        if place is not None:
            data["commune"] = str(place)
            data["commune_code"] = place.insee_code
    return data


@login_not_required
@require_GET
@transaction.non_atomic_requests  # it only reads: no transaction to open and commit around each search
def catalogue(request):
    form = OfferSearchForm(_search_data(request), user=request.user)
    valid = form.is_valid()
    result = offer_search(user=request.user, params=form.search_params(), only=LISTED_FIELDS) if valid else None
    place_is_default = bool(
        result and result.place and "commune" not in request.GET and "commune_code" not in request.GET
    )
    return render(
        request,
        "offers/catalogue/catalogue.html",
        {
            "form": form,
            "fields": search_fields(form),
            "result": result,
            "entries": result_entries(result) if result else [],
            "place_is_default": place_is_default,
            "map": result_map(result) if result else None,
            "page_numbers": page_numbers(result.page, result.num_pages) if result else [],
            "page_title": _page_title(form, result),
        },
    )


def _page_title(form, result: SearchResult | None) -> str:
    if result is None:
        return _("Erreur dans la recherche — Offres de stage")
    parts = [_("Offres de stage")]
    if result.keyword:
        parts.append(_("« %(keyword)s »") % {"keyword": result.keyword})
    if isinstance(result.place, Commune):
        parts.append(_("près de %(place)s") % {"place": result.place})
    title = " ".join(parts)
    if result.page > 1:
        title += " — " + _("page %(page)s sur %(pages)s") % {"page": result.page, "pages": result.num_pages}
    return title


@dataclass
class ScheduleRow:
    day: str
    ranges: list[tuple[str, str]]
    duration: str


def schedule_rows(schedule: dict) -> tuple[list[ScheduleRow], str]:
    """The daily schedule as table rows (Monday first), and the week's total."""
    try:
        minutes = schedule_minutes(schedule or {})
    except ValidationError:  # an offer saved before a rule changed: show what can be shown
        minutes = {}
    rows = []
    for day, name in WEEKDAYS.items():
        ranges = (schedule or {}).get(str(day)) or []
        if not ranges:
            continue
        rows.append(
            ScheduleRow(
                day=str(name).capitalize(),
                ranges=[(str(start), str(end)) for start, end in ranges],
                duration=format_minutes(minutes.get(day, 0)),
            )
        )
    return rows, format_minutes(sum(minutes.values()))


@login_not_required
@require_GET
def detail(request, pk: int):
    offer = get_object_or_404(
        Offer.objects.select_related("organisation", "commune", "association").prefetch_related(
            Prefetch("weeks", queryset=bookable_weeks().order_by("week_start"), to_attr="open_weeks")
        ),
        pk=pk,
    )
    if not can_view_offer(request.user, offer):
        raise Http404
    rows, week_total = schedule_rows(offer.schedule)
    return render(
        request,
        "offers/catalogue/detail.html",
        {
            "offer": offer,
            "page_title": offer.title,
            "domain": domains().get(offer.domain),
            "schedule_rows": rows,
            "schedule_total": week_total,
            "in_catalogue": offer.status == OfferStatus.PUBLISHED and offer.hidden_at is None,
            "seats_left": sum(week.seats_left for week in offer.open_weeks),
        },
    )


urlpatterns = [
    path("offres/", catalogue, name="catalogue"),
    path("offres/<int:pk>/", detail, name="detail"),
]
