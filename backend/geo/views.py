"""The communes search endpoint behind the autocomplete: public, read-only and cheap."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from backend.geo.models import Commune
from backend.geo.selectors import MAX_QUERY_LENGTH, search_communes

RESULTS_LIMIT = 10


def _wants_json(request) -> bool:
    """?format=json, or an Accept header that prefers JSON to HTML (a browser's */* gets HTML)."""
    if request.GET.get("format") == "json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def commune_as_dict(commune: Commune) -> dict:
    return {
        "insee_code": commune.insee_code,
        "name": commune.name,
        "label": str(commune),
        "departement_code": commune.departement_code,
        "departement_name": commune.departement_name,
        "region_code": commune.region_code,
        "region_name": commune.region_name,
        "postcodes": [postcode.code for postcode in commune.postcodes.all()],
        "population": commune.population,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
        "coordinates_source": commune.coordinates_source,  # "postcode": approximate; "": no coordinates
        "time_zone": commune.time_zone,
    }


@login_not_required
@require_GET
@vary_on_headers("Accept")
@cache_control(max_age=300)
def search(request):
    """GET ?q=… : the communes matching a name, a postcode or an INSEE code, best first.

    HTML (the options of the autocomplete's listbox) by default; JSON with ?format=json or
    `Accept: application/json`. An empty query gives no result; one longer than 100 characters gets a 400.
    """
    query = request.GET.get("q", "").strip()
    as_json = _wants_json(request)
    if len(query) > MAX_QUERY_LENGTH:
        detail = _("La recherche ne doit pas dépasser %(max)d caractères.") % {"max": MAX_QUERY_LENGTH}
        if as_json:
            return JsonResponse({"code": "query_too_long", "detail": detail}, status=400)
        return render(request, "geo/commune_options.html", {"error": detail}, status=400)

    communes = search_communes(query, limit=RESULTS_LIMIT)
    if communes:
        # One query for the postcodes of all the results.
        prefetch_related_objects(communes, "postcodes")
    if as_json:
        return JsonResponse({"query": query, "results": [commune_as_dict(commune) for commune in communes]})
    return render(request, "geo/commune_options.html", {"communes": communes, "query": query})
