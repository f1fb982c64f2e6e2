"""The national and département view (platform staff: all of France; prefecture referents: their départements), its
CSV export, and the public open-data export of offers with the page that documents it."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from backend.follow_up import charts, territory
from backend.follow_up.territory_forms import TerritoryFilterForm
from backend.offers.enums import OfferFormat, Track
from backend.offers.exports import csv_response, csv_text, filename
from backend.organisations.enums import Sector

OPEN_DATA_CACHE_KEY = "follow_up:open_data_offers:v1"
OPEN_DATA_CACHE_SECONDS = 60 * 60
OPEN_DATA_COLUMNS = [
    "annee_scolaire",
    "code_departement",
    "departement",
    "code_secteur",
    "secteur",
    "type_de_stage",
    "format",
    "offres",
    "places",
]


def _filtered(request):
    """The form and, when it is valid, the figures it asks for. A département the referent does not follow is a 404
    (it exists, but not for her); a value that is no département at all is the form's message."""
    if not territory.can_view_territory(request.user):
        raise PermissionDenied
    scope = territory.departement_scope(request.user)
    known = territory.departements_kept()
    chosen = request.GET.get("departement", "")
    if scope is not None and chosen in known and chosen not in scope:
        raise Http404
    form = TerritoryFilterForm(request.GET, departements=known, scope=scope)
    if not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    figures, computed_at = territory.territory_figures_kept(
        year=form.school_year(),
        scope=[data["departement"]] if data["departement"] else scope,
        sector=data["secteur"],
        track=data["parcours"],
        known=known,
    )
    return form, figures, computed_at


@require_GET
def territory_view(request):
    form, figures, computed_at = _filtered(request)
    context = {
        "form": form,
        "figures": figures,
        "computed_at": computed_at,
        "page_title": _("Vue nationale et départementale"),
    }
    if figures is None:
        return render(request, "follow_up/territory.html", context, status=400)
    context["charts"] = {
        "sector": charts.bar_chart(
            chart_id="chart-sector",
            title=_("Offres par secteur"),
            rows=[(line.label, line.offers) for line in figures.offers_by_sector],
            unit=_("offres"),
        ),
        "format": charts.bar_chart(
            chart_id="chart-format",
            title=_("Offres sur place, à distance ou les deux"),
            rows=[(line.label, line.offers) for line in figures.offers_by_format],
            unit=_("offres"),
        ),
        "priority": charts.bar_chart(
            chart_id="chart-priority",
            title=_("Candidatures selon l'établissement de l'élève"),
            rows=[(line.label, line.applications) for line in figures.pupils_by_priority],
            unit=_("candidatures"),
        ),
    }
    context["export_query"] = request.GET.urlencode()
    context["map_size"] = (territory.MAP_WIDTH, territory.MAP_HEIGHT, territory.INSET_SIZE)
    context["map_outlines"] = territory.outline_paths()
    return render(request, "follow_up/territory.html", context)


@require_GET
def territory_export_csv(request):
    form, figures, _computed_at = _filtered(request)
    if figures is None:
        errors = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponseBadRequest(
            _("Filtres invalides : %(errors)s") % {"errors": errors}, content_type="text/plain; charset=utf-8"
        )
    departement = form.cleaned_data["departement"] or ("france" if figures.scope is None else "departements")
    return csv_response(
        territory.territory_csv_rows(figures),
        filename=filename("passerelle-territoires", figures.year.label, departement),
    )


@login_not_required
@require_GET
def open_data(request):
    return render(
        request,
        "follow_up/open_data.html",
        {
            "page_title": _("Données ouvertes"),
            "columns": OPEN_DATA_COLUMNS,
            "sectors": Sector.choices,
            "tracks": Track.choices,
            "formats": OfferFormat.choices,
            "cache_minutes": OPEN_DATA_CACHE_SECONDS // 60,
        },
    )


def _open_data_csv() -> str:
    # French labels whatever the visitor's language: the file is one file, the same for everyone.
    with translation.override("fr"):
        rows = [OPEN_DATA_COLUMNS]
        for row in territory.open_data_rows():
            rows.append(
                [
                    row["school_year"].label,
                    row["departement_code"],
                    row["departement_name"],
                    row["sector"],
                    Sector(row["sector"]).label,
                    Track(row["track"]).label,
                    OfferFormat(row["offer_format"]).label,
                    row["offers"],
                    row["seats"],
                ]
            )
        return csv_text(rows)


@login_not_required
@require_GET
def open_data_offers(request):
    """Public and anonymous: counts of published offers, never a pupil, an organisation or an identifier. Built at
    most once an hour (Django's cache), so that a crawler costs nothing."""
    text = cache.get_or_set(OPEN_DATA_CACHE_KEY, _open_data_csv, OPEN_DATA_CACHE_SECONDS)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="passerelle-offres.csv"'
    response["Cache-Control"] = f"public, max-age={OPEN_DATA_CACHE_SECONDS}"
    return response
