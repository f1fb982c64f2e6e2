from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the switch in the header (a cookie).

    A public service of the French State speaks French first: the browser's Accept-Language header does not
    decide the pages, so that a pupil on a school PC set up in English still gets the French site her teacher
    sees. The API, whose clients are programs, follows Accept-Language."""

    def process_request(self, request):
        if request.path.startswith("/api/"):
            # API clients say which language they want in Accept-Language, as HTTP intends.
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
