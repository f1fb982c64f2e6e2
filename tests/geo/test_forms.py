import re

import pytest
from django import forms

from backend.geo.forms import CommuneField
from backend.geo.models import Commune

pytestmark = pytest.mark.usefixtures("communes")


class PlaceForm(forms.Form):
    commune = CommuneField(label="Commune de l'établissement")


class OptionalPlaceForm(forms.Form):
    commune = CommuneField(label="Commune", required=False)


def submit(text=None, code=None, form_class=PlaceForm, initial=None):
    data = {}
    if text is not None:
        data["commune"] = text
    if code is not None:
        data["commune_code"] = code
    return form_class(data=data, initial=initial)


def test_choice_made_with_the_autocomplete():
    form = submit("Saint-Denis (974)", "97411")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == Commune.objects.get(insee_code="97411")


@pytest.mark.parametrize(
    ("text", "insee_code"),
    [
        ("Saint-Étienne (42)", "42218"),
        ("saint-etienne", "42218"),
        ("St Étienne", "42218"),
        ("Saint-Denis (93)", "93066"),
        ("42100", "42218"),
        ("2A004", "2A004"),
    ],
)
def test_text_typed_without_javascript(text, insee_code):
    form = submit(text)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == insee_code


def test_ambiguous_name_asks_for_the_departement():
    form = submit("Saint-Denis")
    assert not form.is_valid()
    [message] = form.errors["commune"]
    assert message.startswith("Plusieurs communes s'appellent « Saint-Denis » : Saint-Denis (974), Saint-Denis (93)")
    assert "précisez le département entre parenthèses, par exemple « Saint-Denis (974) »" in message


def test_postcode_of_several_communes():
    form = submit("01400")
    assert not form.is_valid()
    [message] = form.errors["commune"]
    assert message.startswith("Le code postal 01400 dessert plusieurs communes : Châtillon-sur-Chalaronne (01)")


def test_not_found_with_and_without_suggestions():
    form = submit("Pariss")
    assert not form.is_valid()
    assert form.errors["commune"] == [
        "Aucune commune ne correspond à « Pariss ». Vérifiez l'orthographe ou saisissez le code postal."
    ]
    form = submit("Saint-Étienne-du")
    assert not form.is_valid()
    assert "Vouliez-vous dire : Saint-Étienne-du-Rouvray (76) ?" in form.errors["commune"][0]


def test_left_over_code_does_not_override_new_text():
    # Without JavaScript the hidden code of the initial commune stays while the person types another name.
    form = submit("Lyon", "42218")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "69123"


def test_unknown_code_without_text():
    form = submit("", "99999")
    assert not form.is_valid()
    assert form.errors["commune"] == ["Choisissez une commune dans la liste."]


def test_required_and_optional():
    form = submit("")
    assert not form.is_valid()
    assert form.errors["commune"] == ["Ce champ est obligatoire."]
    form = submit("", form_class=OptionalPlaceForm)
    assert form.is_valid()
    assert form.cleaned_data["commune"] is None


def test_has_changed():
    saint_etienne = Commune.objects.get(insee_code="42218")
    assert not submit("Saint-Étienne (42)", "42218", initial={"commune": saint_etienne}).has_changed()
    assert not submit("Saint-Étienne (42)", "", initial={"commune": saint_etienne.pk}).has_changed()
    assert submit("Lyon", "", initial={"commune": saint_etienne}).has_changed()


def test_rendering_is_a_dsfr_group_with_an_enhanceable_input():
    html = PlaceForm(initial={"commune": Commune.objects.get(insee_code="42218")})["commune"].as_field_group()
    assert 'class="fr-input-group"' in html
    assert '<label class="fr-label" for="id_commune">' in html
    assert '<span class="fr-hint-text" id="id_commune_helptext">' in html
    text_input = re.search(r'<input type="text"[^>]*>', html, re.DOTALL).group(0)
    assert 'name="commune"' in text_input
    assert 'id="id_commune"' in text_input
    assert 'value="Saint-Étienne (42)"' in text_input
    assert 'aria-describedby="id_commune_helptext"' in text_input
    assert 'data-url="/communes/recherche/"' in text_input
    assert 'data-listbox="id_commune_listbox"' in text_input
    assert 'autocomplete="off"' in text_input
    assert 'class="fr-input"' in text_input
    assert "required" in text_input
    assert '<input type="hidden" name="commune_code" id="id_commune_code" value="42218">' in html
    assert '<ul class="geo-combobox__listbox" id="id_commune_listbox" role="listbox"' in html
    assert 'id="id_commune_status" role="status" aria-live="polite"' in html


def test_rendering_with_an_error():
    form = submit("Saint-Denis")
    assert not form.is_valid()
    html = form["commune"].as_field_group()
    assert "fr-input-group--error" in html
    assert '<div id="id_commune_error">' in html
    assert '<p class="fr-error-text">Plusieurs communes' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_commune_helptext id_commune_error"' in html
    assert 'value="Saint-Denis"' in html  # what was typed is shown back


def test_media_is_a_module_script_and_a_stylesheet():
    media = str(PlaceForm().media)
    assert '<script src="/static/geo/commune-autocomplete.js" type="module"></script>' in media
    assert 'href="/static/geo/commune-autocomplete.css"' in media
