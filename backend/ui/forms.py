"""Forms rendered with the State design system (DSFR) through django-dsfr's field templates."""

from django import forms
from dsfr.forms import DsfrBaseForm


class DsfrFormMixin:
    def get_context(self):
        # django-dsfr's own get_context warns on every render about a transitional setting; we set it
        # (DSFR_MARK_OPTIONAL_FIELDS) once in settings and skip that warning.
        context = forms.BaseForm.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class DsfrForm(DsfrFormMixin, DsfrBaseForm):
    pass


class DsfrModelForm(DsfrFormMixin, forms.ModelForm, DsfrBaseForm):
    pass
