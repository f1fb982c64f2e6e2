from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded mode: one account per role, schools, a class, a host organisation."""

    name = "backend.demo"
    label = "demo"
