"""A page with a CommuneField, for the browser test of the autocomplete (tests/geo/test_combobox_browser.py)."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from backend.geo.forms import CommuneField
from backend.urls import urlpatterns as project_urlpatterns

PAGE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="fr">
  <head><meta charset="utf-8"><title>Commune</title>{{ form.media }}</head>
  <body>
    <main>
      <h1>Choisir une commune</h1>
      {% if chosen %}<p id="chosen">{{ chosen.insee_code }}</p>{% endif %}
      <form method="post">{% csrf_token %}
        {{ form.commune.as_field_group }}
        <button type="submit">Envoyer</button>
      </form>
    </main>
  </body>
</html>"""
)


class PlaceForm(forms.Form):
    commune = CommuneField(label="Commune")


@login_not_required
def place(request):
    form = PlaceForm(request.POST or None)
    chosen = form.cleaned_data["commune"] if request.method == "POST" and form.is_valid() else None
    return HttpResponse(PAGE.render({"form": form, "chosen": chosen}, request))


urlpatterns = [path("essai/commune/", place, name="place"), *project_urlpatterns]
