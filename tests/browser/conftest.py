"""Fixtures of the browser tests that only they use (the `ui` fixtures live in tests/conftest.py)."""

import pytest


@pytest.fixture
def media_dirs(settings, tmp_path):
    """Each test's own folders for public images, video files and upload chunks."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.MEDIA_VIDEO_ROOT = tmp_path / "videos"
    settings.MEDIA_UPLOAD_TEMP_DIR = tmp_path / "partial"
    return tmp_path
