"""Offers: the CSV export of offers for their managers and platform staff (see backend/offers/offers_csv.py)."""

from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from backend.offers.offers_csv import offer_csv
from backend.offers.permissions import can_export_offers


@require_safe
def offers_csv(request):
    """Employers get their organisations' offers, association staff their associations', platform staff all."""
    if not can_export_offers(request.user):
        raise PermissionDenied
    export = offer_csv(request.user)
    # Django serves an asynchronous iterator under ASGI and an ordinary one under WSGI without buffering it.
    lines = export.alines() if isinstance(request, ASGIRequest) else export.lines()
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="offres-passerelle-{day}.csv"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [path("offres/export.csv", offers_csv, name="offers_csv")]
