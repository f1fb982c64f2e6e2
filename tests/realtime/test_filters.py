"""The contact-details filter masks what would let an adult reach a pupil outside the platform, and leaves ordinary
school talk alone. Pure functions: no database."""

import pytest
from django.utils import translation

from realtime.filters import KINDS, MASK, FilterResult, mask_contact_details, reason_for


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


# (message, kind found, a piece of the contact detail that must be gone)
PHONES = [
    ("06 12 34 56 78", "06"),
    ("06.12.34.56.78", "06.12"),
    ("06-12-34-56-78", "06-12"),
    ("0612345678", "0612345678"),
    ("06 12 34 56 78", "06\u00a012"),
    ("06 . 12 . 34 . 56 . 78", "34 . 56"),
    ("01 44 55 66 77", "44 55"),
    ("09_12_34_56_78", "12_34"),
    ("0 6 1 2 3 4 5 6 7 8", "5 6 7"),
    ("+33 6 12 34 56 78", "+33"),
    ("+33612345678", "612345678"),
    ("+33 (0)6 12 34 56 78", "(0)6"),
    ("+33 06 12 34 56 78", "06 12"),
    ("0033 6 12 34 56 78", "0033"),
    ("0033612345678", "612345678"),
    ("+262 692 12 34 56", "692"),
    ("+262692123456", "692123456"),
    ("+590 690 12 34 56", "690"),
    ("+594 694 12 34 56", "694"),
    ("+596 696 12 34 56", "696"),
    ("+269 639 12 34 56", "639"),
    ("+687 12 34 56", "+687"),
    ("+687123456", "123456"),
    ("+689 87 12 34 56", "87 12"),
    ("00689 87123456", "87123456"),
    ("0262 12 34 56", "0262"),
    ("0590 12 34 56", "0590"),
    ("0594-12-34-56", "0594"),
    ("0596.12.34.56", "0596"),
    ("0269 61 23 45", "0269"),
    ("0692 12 34 56", "0692"),
    ("0262123456", "0262123456"),
]
EMAILS = [
    ("lea.martin@gmail.com", "lea.martin"),
    ("LEA_M+chat@laposte.net", "laposte"),
    ("lea@orange.fr", "orange"),
    ("lea @ gmail.com", "gmail"),
    ("lea [at] gmail [dot] com", "gmail"),
    ("lea (at) gmail (dot) com", "gmail"),
    ("lea at gmail dot com", "gmail"),
    ("lea arobase gmail point com", "gmail"),
    ("lea arobase hotmail point fr", "hotmail"),
    ("lea arobas free point fr", "free"),
    ("lea(at)gmail.com", "gmail"),
    ("lea{at}gmail{dot}com", "gmail"),
    ("lea.martin arobase ac-creteil point fr", "ac-creteil"),
]
URLS = [
    ("https://example.com/profil?id=12", "example"),
    ("http://mon-blog.fr", "mon-blog"),
    ("HTTPS://EXAMPLE.COM", "EXAMPLE"),
    ("www.mon-site.fr", "mon-site"),
    ("www.lea.be/page", "lea.be"),
    ("va sur monsite.fr", "monsite"),
    ("lea.net", "lea.net"),
    ("discord.gg/abcdef", "abcdef"),
    ("bit.ly/3xYz", "3xYz"),
    ("mon-site.re", "mon-site"),
    ("monsite point com", "monsite"),
    ("monsite [dot] fr", "monsite"),
    ("ftp://files.example.org/a", "files"),
]
HANDLES = [
    ("@lea_08", "lea_08"),
    ("suis moi @Lea.M", "Lea.M"),
    ("snap: lea.m", "lea.m"),
    ("snap : lea", "lea"),
    ("snapchat=lea2011", "lea2011"),
    ("insta: lea_dance", "lea_dance"),
    ("instagram : @lea", "@lea"),
    ("tiktok: leadance", "leadance"),
    ("tik tok : leadance", "leadance"),
    ("TikTok -> leadance", "leadance"),
    ("discord: lea#1234", "lea"),
    ("mon snap c'est lea_m", "lea_m"),
    ("mon snap c’est lea_m", "lea_m"),
    ("mon insta est lea.dance", "lea.dance"),
    ("mon compte insta: lea", "lea"),
    ("mon pseudo tiktok c'est leadance", "leadance"),
]
ADDRESSES = [
    ("j'habite au 12 rue des Lilas", "Lilas"),
    ("12 rue des lilas", "lilas"),
    ("12 rue d'Alsace", "Alsace"),
    ("12 bis avenue Victor Hugo", "Victor"),
    ("12bis avenue Victor Hugo", "Hugo"),
    ("3 bd de la Mer", "Mer"),
    ("3 boulevard Voltaire", "Voltaire"),
    ("7 allée des Pins", "Pins"),
    ("7 allee des pins", "pins"),
    ("4 impasse du Moulin", "Moulin"),
    ("15 chemin des Vignes", "Vignes"),
    ("2 place de la République", "République"),
    ("8 quai de Seine", "Seine"),
    ("140 route de Lyon", "Lyon"),
    ("5 cours Mirabeau", "Mirabeau"),
    ("5 cours de la Libération", "Libération"),
    ("9 av. Foch", "Foch"),
    ("21 square Lamartine", "Lamartine"),
    ("3 résidence les Tamarins", "Tamarins"),
    ("12 rue des Lilas, 75011 Paris", "75011"),
    ("12, rue Saint-Denis", "Saint-Denis"),
]


def _cases(kind, rows):
    return [pytest.param(text, kind, secret, id=f"{kind}-{text}") for text, secret in rows]


POSITIVES = _cases("phone", PHONES) + _cases("email", EMAILS) + _cases("url", URLS)
POSITIVES += _cases("handle", HANDLES) + _cases("address", ADDRESSES)


@pytest.mark.parametrize(("text", "kind", "secret"), POSITIVES)
def test_contact_details_are_masked(text, kind, secret):
    result = mask_contact_details(text)

    assert result.masked == (kind,)
    assert str(MASK) in result.text
    assert secret not in result.text


@pytest.mark.parametrize(("text", "kind", "secret"), POSITIVES)
def test_contact_details_are_masked_inside_a_sentence(text, kind, secret):
    result = mask_contact_details(f"Coucou ! {text}. Bisous")

    assert result.masked == (kind,)
    assert result.text.startswith("Coucou ! ")
    assert result.text.endswith(". Bisous")
    assert secret not in result.text


@pytest.mark.parametrize(
    "text",
    [
        "On se retrouve à 14h30",
        "à 14 h 30 devant la salle",
        "Le cours commence à 10:45",
        "Rendez-vous le 12/03/2027",
        "le 12.03.2027",
        "le 01.03.2027 10h",
        "le 01/03/2027 à 10h",
        "2027-03-12",
        "La sortie coûte 15 €",
        "2,50 € le ticket, 1 250,00 € le voyage",
        "Je suis en 3e B",
        "la 4eme A et la 3ème C",
        "On est 12, ou 3",
        "En 2027 je serai au lycée",
        "2024-2025",
        "semaine 12",
        "S12",
        "2027-W12",
        "2027-W12-3",
        "j'ai 4 cours demain",
        "2 cours de maths et 3 cours d'anglais",
        "il reste 2 places",
        "il reste 1 place dans le bus",
        "on a 3 routes possibles",
        "exercice 12 p. 45",
        "chapitre 3, page 123456",
        "1 000 000 de vues",
        "x = 12 et y = 3",
        "score 12-15",
        "note : 15/20",
        "Mme Martin et M. Dupont",
        "etc.",
        "c'est bien.De plus j'aime ça",
        "bien.ca va",
        "je suis fan de snap",
        "snap c'est nul",
        "tiktok est trop bien",
        "j'ai vu ça sur insta hier",
        "un point fort",
        "on fait le point comme hier",
        "rdv at 14h",
        "il faut 06 minutes",
        "la salle 012",
        "01 02",
        "code 75011",
        "numéro 12345678",
        "Je voudrais être infirmière plus tard, c'est possible ?",
        "Bonjour ! Merci pour la présentation :)",
        "@",
        "@ tous",
        "e-mail",
    ],
)
def test_ordinary_school_talk_is_left_alone(text):
    result = mask_contact_details(text)

    assert result == FilterResult(text=text, masked=())
    assert not result.changed


def test_several_kinds_are_reported_once_each_in_a_fixed_order():
    result = mask_contact_details(
        "mon insta: lea_m, 06 12 34 56 78 ou 07 12 34 56 78, lea@gmail.com, 12 rue des Lilas, www.lea.fr"
    )

    assert result.masked == ("phone", "email", "url", "handle", "address")
    assert result.text == "mon insta: [masqué], [masqué] ou [masqué], [masqué], [masqué], [masqué]"


def test_an_email_is_not_also_reported_as_a_handle_or_a_link():
    assert mask_contact_details("lea@gmail.com").masked == ("email",)


def test_a_phone_number_inside_a_link_is_reported_as_a_link():
    result = mask_contact_details("https://x.com/0612345678")

    assert result == FilterResult(text="[masqué]", masked=("url",))


def test_the_punctuation_after_a_link_is_kept():
    assert mask_contact_details("va sur https://example.com/a.").text == "va sur [masqué]."


def test_the_rest_of_the_sentence_after_an_address_is_kept():
    assert mask_contact_details("12 rue des Lilas à Paris").text == "[masqué] à Paris"


def test_only_the_name_after_a_platform_is_masked():
    assert mask_contact_details("snap : lea").text == "snap : [masqué]"


def test_masked_text_is_stable_when_filtered_again():
    first = mask_contact_details("06 12 34 56 78 et lea@gmail.com")

    assert mask_contact_details(first.text) == FilterResult(text=first.text, masked=())


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Quel idiot", ["idiot"], "Quel [masqué]"),
        ("Quel IDIOT !", ["idiot"], "Quel [masqué] !"),
        ("Quel Idiot", ["IDIOT"], "Quel [masqué]"),
        ("un éléphant", ["elephant"], "un [masqué]"),
        ("un elephant", ["éléphant"], "un [masqué]"),
        ("un ÉLÉPHANT", ["éléphant"], "un [masqué]"),
        ("un cœur", ["coeur"], "un [masqué]"),
        ("viens au parc ce soir", ["parc ce soir"], "viens au [masqué]"),
        ("idiot, idiot.", ["idiot"], "[masqué], [masqué]."),
        ("Quel idiot", ["  idiot  ", ""], "Quel [masqué]"),
        ("deux mots: chat chien", ["chat", "chien"], "deux mots: [masqué] [masqué]"),
    ],
)
def test_staff_words_are_masked_whatever_the_accents_and_case(text, words, expected):
    result = mask_contact_details(text, extra_words=words)

    assert result == FilterResult(text=expected, masked=("word",))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("les idiotes", ["idiot"]),
        ("un chaton", ["chat"]),
        ("achat", ["chat"]),
        ("Quel idiot", []),
        ("Quel idiot", [""]),
        ("Quel idiot", ["   "]),
    ],
)
def test_staff_words_match_only_whole_words(text, words):
    assert mask_contact_details(text, extra_words=words) == FilterResult(text=text, masked=())


def test_a_staff_word_inside_a_contact_detail_is_not_reported_twice():
    result = mask_contact_details("lea@gmail.com", extra_words=["gmail"])

    assert result == FilterResult(text="[masqué]", masked=("email",))


def test_staff_words_and_contact_details_together():
    result = mask_contact_details("idiot 06 12 34 56 78", extra_words=("idiot",))

    assert result == FilterResult(text="[masqué] [masqué]", masked=("phone", "word"))


def test_the_mask_is_translated():
    with translation.override("fr"):
        assert str(MASK) == "[masqué]"
        assert mask_contact_details("06 12 34 56 78").text == "[masqué]"


def test_kinds_are_the_documented_ones():
    assert KINDS == ("phone", "email", "url", "handle", "address", "word")


def test_no_reason_when_nothing_was_masked():
    assert reason_for(()) == ""


@pytest.mark.parametrize(
    ("masked", "named"),
    [
        (("phone",), "un numéro de téléphone"),
        (("email",), "une adresse e-mail"),
        (("url",), "un lien"),
        (("handle",), "un pseudo de réseau social"),
        (("address",), "une adresse postale"),
        (("word",), "un mot qui n’est pas autorisé ici"),
    ],
)
def test_the_reason_names_what_was_masked(masked, named):
    reason = reason_for(masked)

    assert named in reason
    assert reason.startswith("Pour ta sécurité")
    assert reason.count(".") == 1
    assert reason.endswith(".")


def test_the_reason_lists_several_kinds_in_one_sentence():
    reason = reason_for(["email", "phone", "address"])

    assert "un numéro de téléphone, une adresse e-mail et une adresse postale" in reason
    assert reason.count(".") == 1


def test_the_reason_follows_the_filter_result():
    result = mask_contact_details("snap: lea et 06 12 34 56 78")

    assert reason_for(result.masked) == (
        "Pour ta sécurité, nous avons masqué dans ton message un numéro de téléphone et un pseudo de réseau social : "
        "les coordonnées personnelles ne se partagent pas ici."
    )


@pytest.mark.parametrize(
    "text",
    [
        "a-" * 2000,
        "a-.-" * 1000,
        "1-" * 2000,
        "a+" * 2000,
        "a." * 2000,
        "0" * 4000,
        "12 rue " * 600,
        "a at b dot " * 400,
    ],
    ids=["dashes", "dash-dots", "digit-dashes", "pluses", "dots", "zeros", "streets", "at-dot-words"],
)
def test_long_crafted_input_is_filtered_and_stays_filtered(text):
    """Crafted messages made to make a pattern backtrack (the filter runs on every pupil's message): the filter
    comes back, and filtering its result again changes nothing. How fast it is belongs to a benchmark."""
    once = mask_contact_details(text, extra_words=["idiot"])

    assert mask_contact_details(once.text, extra_words=["idiot"]).text == once.text
