"""Picking a commune in a form: an accessible autocomplete that also works without JavaScript.

    from backend.geo.forms import CommuneField

    class SchoolForm(DsfrForm):
        commune = CommuneField(label=_("Commune"))

The page includes `{{ form.media }}` (a `<script type="module">` served from this app's static files, and a
small stylesheet). The cleaned value is a `Commune`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.geo.models import Commune
from backend.geo.search import normalise_search
from backend.geo.selectors import resolve_commune_text


class CommuneWidget(forms.Widget):
    """A text input (the commune's name, typed or chosen) plus a hidden input (the chosen INSEE code)."""

    template_name = "geo/widgets/commune_combobox.html"
    code_suffix = "_code"

    class Media:
        js = [forms.Script("geo/commune-autocomplete.js", type="module")]
        css = {"all": ["geo/commune-autocomplete.css"]}

    def __init__(self, attrs=None):
        super().__init__({"class": "fr-input", **(attrs or {})})
        self.has_help_text = False  # set by CommuneField, so that the input names its hint

    def value_from_datadict(self, data, files, name):
        text, code = data.get(name), data.get(name + self.code_suffix)
        if text is None and code is None:
            return None
        return {"text": text or "", "code": code or ""}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + self.code_suffix not in data

    def format_value(self, value):
        """The text and INSEE code to show: typed data is shown back as typed."""
        if value is None or value == "":
            return "", ""
        if isinstance(value, dict):
            return value.get("text") or "", value.get("code") or ""
        commune = value if isinstance(value, Commune) else Commune.objects.filter(insee_code=str(value)).first()
        if commune is None:
            return str(value), ""
        return str(commune), commune.insee_code

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["text_value"], widget["code_value"] = self.format_value(value)
        base_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["id"] = base_id
        widget.update(
            code_name=name + self.code_suffix,
            code_id=base_id + self.code_suffix,
            listbox_id=base_id + "_listbox",
            status_id=base_id + "_status",
            search_url=reverse("geo:search"),
        )
        # Name the hint and, when the field is in error, the messages (ids of geo/commune_field.html), whatever
        # Django or django-dsfr put there.
        own = {f"{base_id}_helptext", f"{base_id}_error", f"{base_id}-desc-error"}
        others = [part for part in widget["attrs"].get("aria-describedby", "").split() if part not in own]
        described_by = ([f"{base_id}_helptext"] if self.has_help_text else []) + others
        if widget["attrs"].get("aria-invalid"):
            described_by.append(f"{base_id}_error")
        widget["attrs"].pop("aria-describedby", None)
        if described_by:
            widget["attrs"]["aria-describedby"] = " ".join(described_by)
        return context

    def id_for_label(self, id_):
        return id_


class CommuneField(forms.ModelChoiceField):
    """A commune chosen in the autocomplete, or typed as "Nom (département)", a postcode or an INSEE code."""

    widget = CommuneWidget
    template_name = "geo/commune_field.html"
    default_error_messages = {
        "invalid_choice": _("Choisissez une commune dans la liste."),
        "not_found": _(
            "Aucune commune ne correspond à « %(text)s ». Vérifiez l'orthographe ou saisissez le code postal."
        ),
        "not_found_suggestions": _(
            "Aucune commune ne s'appelle exactement « %(text)s ». Vouliez-vous dire : %(choices)s ? "
            "Choisissez-la dans la liste ou recopiez son nom avec le département entre parenthèses."
        ),
        "ambiguous_name": _(
            "Plusieurs communes s'appellent « %(text)s » : %(choices)s. Choisissez-en une dans la liste ou "
            "précisez le département entre parenthèses, par exemple « %(example)s »."
        ),
        "ambiguous_postcode": _(
            "Le code postal %(text)s dessert plusieurs communes : %(choices)s. Choisissez-en une dans la liste ou "
            "saisissez son nom, par exemple « %(example)s »."
        ),
    }

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault(
            "help_text", _("Saisissez le nom de la commune ou son code postal, puis choisissez-la dans la liste.")
        )
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("template_name", self.template_name)  # Field.__init__ would set it to None
        super().__init__(Commune.objects.all() if queryset is None else queryset, to_field_name="insee_code", **kwargs)

    def get_bound_field(self, form, field_name):
        # At render time, after any change a form made to help_text.
        self.widget.has_help_text = bool(self.help_text)
        return super().get_bound_field(form, field_name)

    def prepare_value(self, value):
        if isinstance(value, dict | Commune) or value in self.empty_values:
            return value
        if isinstance(value, int):  # a primary key, as a ModelForm gives the initial value of a foreign key
            return Commune.objects.filter(pk=value).values_list("insee_code", flat=True).first() or ""
        return str(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Commune):
            return value
        if isinstance(value, dict):
            text, code = (value.get("text") or "").strip(), (value.get("code") or "").strip()
        else:
            text, code = str(value).strip(), ""
        if not text and not code:
            return None
        if code:
            chosen = self.queryset.filter(insee_code=code).first()
            # Without JavaScript the hidden code may be left from the initial value while the person typed another
            # name: the code only counts when the text still designates that commune.
            if chosen is not None and (not text or designates(text, chosen)):
                return chosen
            if not text:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return self.resolve(text)

    def resolve(self, text: str) -> Commune:
        resolution = resolve_commune_text(text, self.queryset)
        if resolution.commune is not None:
            return resolution.commune
        candidates = resolution.candidates
        params = {
            "text": text,
            "choices": ", ".join(str(commune) for commune in candidates[:5]),
            "example": str(candidates[0]) if candidates else "",
        }
        problem = resolution.problem
        if problem == "not_found" and candidates:
            problem = "not_found_suggestions"
        raise ValidationError(self.error_messages[problem], code=problem, params=params)

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = self.prepare_value(initial)
        old_code = old.insee_code if isinstance(old, Commune) else (old or "")
        return (new.insee_code if new else "") != old_code


def designates(text: str, commune: Commune) -> bool:
    """Whether a typed text names this very commune ("Saint-Étienne (42)", "saint etienne", "42218")."""
    typed = normalise_search(text)
    return typed in {normalise_search(str(commune)), normalise_search(commune.name), commune.insee_code.lower()}
