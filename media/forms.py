"""Forms of the makers' pages: what a video says about itself, captions, poster, the moves of its lifecycle.

They check what a person typed and hand clean values to `media.services`, which keeps the rules (states, what
publication needs, what a file must be) and may still refuse: its refusals are shown on the same form.
"""

from django import forms
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.offers import taxonomy
from backend.offers.rules import validate_rome_code
from backend.organisations.enums import Sector
from backend.organisations.models import HostOrganisation
from backend.ui.forms import DsfrForm
from media import rules
from media.enums import VideoLevel
from media.services import EDITABLE_FIELDS, MAX_TAGS

OTHER_LANGUAGE = "other"
# The caption languages offered first (French is the one publication needs), then a free tag.
CAPTION_LANGUAGES = ["fr", "en", "es", "de", "it", "pt", "ar"]


def _upload_widget(accept: str) -> forms.FileInput:
    widget = forms.FileInput(attrs={"accept": accept, "class": "fr-upload"})
    # django-dsfr's field template wraps the input in this group (and its "--error" variant).
    widget.group_class = "fr-upload-group"
    return widget


def maker_value(maker) -> str:
    """How a maker (an organisation or an association) is written in the maker <select>."""
    return f"{'organisation' if isinstance(maker, HostOrganisation) else 'association'}-{maker.pk}"


class VideoForm(DsfrForm):
    """What a video says about itself. The maker is chosen only on creation, and only when the person makes
    videos for several organisations or associations."""

    maker = forms.ChoiceField(
        label=gettext_lazy("Au nom de"),
        help_text=gettext_lazy("La structure d'accueil ou l'association qui présente la vidéo."),
    )
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=150)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Ce que l'on voit dans la vidéo, à qui elle s'adresse."),
    )
    sector = forms.ChoiceField(label=gettext_lazy("Secteur"), choices=[("", "—"), *Sector.choices])
    domain = forms.ChoiceField(
        label=gettext_lazy("Domaine professionnel"),
        required=False,
        help_text=gettext_lazy("Les domaines du répertoire ROME de France Travail, rangés par secteur."),
    )
    job_title = forms.CharField(
        label=gettext_lazy("Métier"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Par exemple : Électricien ou électricienne."),
    )
    rome_code = forms.CharField(
        label=gettext_lazy("Code ROME du métier"),
        max_length=5,
        required=False,
        help_text=gettext_lazy("Une lettre et 4 chiffres, par exemple F1602 ; la lettre est celle du secteur."),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Pour les élèves de"), choices=VideoLevel.choices, initial=VideoLevel.ALL
    )
    tags = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        required=False,
        max_length=600,
        help_text=gettext_lazy("Séparés par des virgules, %(count)s au plus. Par exemple : chantier, sécurité.")
        % {"count": MAX_TAGS},
    )
    audio_description = forms.BooleanField(
        label=gettext_lazy("La vidéo comporte une audiodescription"),
        required=False,
        help_text=gettext_lazy("Les images importantes sont décrites par la voix, pour les personnes aveugles."),
    )
    transcript = forms.CharField(
        label=gettext_lazy("Transcription"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Tout ce qui est dit dans la vidéo, et ce qui est montré sans être dit. Obligatoire pour publier."
        ),
    )

    def __init__(self, *args, makers=None, **kwargs):
        """`makers`: the organisations and associations the person may choose from, on creation; None when
        editing (the maker of a video does not change)."""
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "—"), *taxonomy.domain_choices()]
        self.makers = {maker_value(maker): maker for maker in makers or []}
        if len(self.makers) > 1:
            self.fields["maker"].choices = [("", "—")] + [(value, maker.name) for value, maker in self.makers.items()]
        else:
            del self.fields["maker"]

    def clean_maker(self):
        maker = self.makers.get(self.cleaned_data["maker"])
        if maker is None:
            raise ValidationError(_("Choisissez une structure ou une association dans la liste."))
        return maker

    def clean_rome_code(self):
        code = self.cleaned_data["rome_code"].strip().upper()
        validate_rome_code(code)
        return code

    def clean_tags(self):
        tags = [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]
        if len({" ".join(tag.split()).lower() for tag in tags}) > MAX_TAGS:
            raise ValidationError(_("%(count)s mots-clés au plus.") % {"count": MAX_TAGS})
        return tags

    def clean(self):
        cleaned = super().clean()
        sector, domain, code = cleaned.get("sector"), cleaned.get("domain"), cleaned.get("rome_code")
        if sector and domain:
            try:
                taxonomy.validate_domain(domain, sector)
            except ValidationError as error:
                self.add_error("domain", error)
        if sector and code and code[0] != sector:
            self.add_error("rome_code", _("Le code ROME n'appartient pas au secteur choisi."))
        return cleaned

    def chosen_maker(self, default=None):
        if "maker" in self.fields:
            return self.cleaned_data["maker"]
        return next(iter(self.makers.values()), default)

    def video_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}

    @staticmethod
    def initial_from(video) -> dict:
        initial = {name: getattr(video, name) for name in EDITABLE_FIELDS}
        initial["tags"] = ", ".join(video.tags or [])
        return initial


class CaptionForm(DsfrForm):
    language = forms.ChoiceField(label=gettext_lazy("Langue"))
    other_language = forms.CharField(
        label=gettext_lazy("Autre langue : son code"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("Seulement si vous avez choisi « Autre langue » : par exemple wo, ht ou pt-BR."),
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier de sous-titres"),
        help_text=gettext_lazy("WebVTT (.vtt) ou SubRip (.srt), en UTF-8. Un fichier SRT est converti en WebVTT."),
        widget=_upload_widget(".vtt,.srt,text/vtt"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="caption", **kwargs)
        self.fields["language"].choices = [
            *((tag, f"{_(LANG_INFO[tag]['name'])} ({tag})") for tag in CAPTION_LANGUAGES),
            (OTHER_LANGUAGE, _("Autre langue")),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language") == OTHER_LANGUAGE:
            tag = cleaned.get("other_language", "").strip()
            if not tag:
                self.add_error("other_language", _("Écrivez le code de la langue, par exemple wo ou pt-BR."))
            else:
                try:
                    rules.validate_language_tag(tag)
                except ValidationError as error:
                    self.add_error("other_language", error)
                cleaned["tag"] = tag
        else:
            cleaned["tag"] = cleaned.get("language", "")
        return cleaned


class PosterForm(DsfrForm):
    file = forms.FileField(
        label=gettext_lazy("Image de l'affiche"),
        help_text=gettext_lazy("JPEG, PNG ou WebP, au format paysage (16/9 de préférence)."),
        widget=_upload_widget("image/jpeg,image/png,image/webp"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="poster", **kwargs)


class TransitionForm(DsfrForm):
    """A move of the lifecycle. Sending a video back to its makers needs a note saying what to change."""

    # Sent by the button pressed (name "transition-action"), not rendered as a field.
    action = forms.CharField(required=False)
    note = forms.CharField(
        label=gettext_lazy("Message pour les auteurs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Obligatoire pour renvoyer la vidéo en brouillon : dites ce qu'il faut changer."),
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, prefix="transition", **kwargs)
        self.allowed = list(allowed)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action not in self.allowed:
            raise ValidationError(_("Cette action n'est pas possible pour cette vidéo, ou pas pour vous."))
        if action == "reject" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Dites aux auteurs ce qu'il faut changer avant de renvoyer la vidéo."))
        return cleaned
