"""The partner API: associations push and manage their offers with a token."""

urlpatterns = []
