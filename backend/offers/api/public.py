"""The public, read-only offers API: the catalogue's search as JSON."""

urlpatterns = []
