"""What every Passerelle API view shares: closed by default, JSON only, throttled, errors documented."""

from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from backend.api.authentication import AdultTokenAuthentication
from backend.api.pagination import ApiPagination
from backend.api.schema import ApiAutoSchema
from backend.api.throttling import AnonThrottle, UserThrottle


class ApiMixin:
    # The token scheme comes first: DRF answers 401 with its WWW-Authenticate challenge to an anonymous
    # caller, where the session scheme alone would make it a 403.
    authentication_classes = [AdultTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    # JSON only: errors keep their shape whatever the client accepts; the interactive docs replace the
    # browsable API.
    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle, UserThrottle]
    schema = ApiAutoSchema()


class ApiView(ApiMixin, APIView):
    pass


class ApiListView(ApiMixin, ListAPIView):
    pagination_class = ApiPagination


class ApiRetrieveView(ApiMixin, RetrieveAPIView):
    pass
