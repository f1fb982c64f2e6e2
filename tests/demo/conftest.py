import pytest


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    """The demo's videos, posters and upload chunks go to the test's own folders, not to var/."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.MEDIA_VIDEO_ROOT = tmp_path / "videos"
    settings.MEDIA_UPLOAD_TEMP_DIR = tmp_path / "partial"
    return tmp_path
