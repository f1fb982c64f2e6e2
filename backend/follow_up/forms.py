"""The questionnaire: satisfaction as five labelled radio buttons; "did it help you choose?" for pupils; a comment
for adults. Pupils are spoken to with "tu", as on their other pages."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.follow_up.enums import FeedbackKind, HelpedChoose, RespondentRole, Satisfaction
from backend.follow_up.models import COMMENT_MAX
from backend.ui.forms import DsfrForm

SATISFACTION_QUESTIONS = {
    (RespondentRole.PUPIL, FeedbackKind.SESSION): _("Es-tu satisfait(e) de cette séquence de découverte ?"),
    (RespondentRole.PUPIL, FeedbackKind.TUTORING): _("Es-tu satisfait(e) de ce rendez-vous de tutorat ?"),
    (RespondentRole.PUPIL, FeedbackKind.INTERNSHIP): _("Es-tu satisfait(e) de ton stage ?"),
    (RespondentRole.HOST, FeedbackKind.SESSION): _("Êtes-vous satisfait(e) de cette séquence de découverte ?"),
    (RespondentRole.HOST, FeedbackKind.TUTORING): _("Êtes-vous satisfait(e) de ce rendez-vous de tutorat ?"),
    (RespondentRole.HOST, FeedbackKind.INTERNSHIP): _("Êtes-vous satisfait(e) de l'accueil de ce stage ?"),
}


class FeedbackForm(DsfrForm):
    satisfaction = forms.TypedChoiceField(coerce=int, choices=Satisfaction.choices, widget=forms.RadioSelect)
    helped_choose = forms.ChoiceField(
        label=_("Cela t'a-t-il aidé(e) à choisir ?"),
        help_text=_("Un métier, une formation, une orientation, un futur stage…"),
        choices=HelpedChoose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Réponds « Oui », « Un peu » ou « Non ».")},
    )
    comment = forms.CharField(
        label=_("Un commentaire"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, role: str, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        satisfaction = self.fields["satisfaction"]
        satisfaction.label = SATISFACTION_QUESTIONS[(role, kind)]
        if role == RespondentRole.PUPIL:
            satisfaction.error_messages["required"] = _("Choisis une réponse.")
            del self.fields["comment"]
        else:
            satisfaction.error_messages["required"] = _("Choisissez une réponse.")
            del self.fields["helped_choose"]
            self.fields["comment"].help_text = gettext(
                "%(max)s caractères au plus : ce qui a bien marché, ce qui serait à améliorer. "
                "N'y écrivez pas le nom d'un élève."
            ) % {"max": COMMENT_MAX}
        # django-dsfr's __init__ made the bound fields already: made again, they take the labels set here.
        self._bound_fields_cache.clear()
