from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "backend.ui"
    label = "ui"
