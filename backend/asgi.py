"""ASGI entry point: HTTP goes to Django, WebSockets to the realtime app's consumers."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup(set_prefix=False)


class SynchronousChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain run synchronously, in one worker thread per request.

    Every view of the project is synchronous, and so are some middlewares (`UserTimezoneMiddleware`, WhiteNoise).
    Django's own handler builds an asynchronous chain: it goes back to the event loop below each synchronous-only
    middleware, and every middleware that can run both ways sends its hooks to a worker thread — several thread
    changes per page. Here the whole request crosses to a worker thread once (measured in-process: a redirect
    1.6 → 1.05 ms p50, the catalogue page about 0.8 ms less). Responses, streaming ones with asynchronous iterators
    included, are still sent by the handler as Django sends them.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django_asgi_app = SynchronousChainASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the apps loaded)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
