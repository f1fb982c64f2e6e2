"""Uploaded images under MEDIA_URL in the embedded mode (MEDIA_SERVE): public, never media/protected/."""

import pytest
from django.test import Client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "thumb-320.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a picture")
    (tmp_path / "protected").mkdir()
    (tmp_path / "protected" / "secret.mp4").write_bytes(b"private")
    return tmp_path


@pytest.mark.django_db
def test_an_uploaded_image_is_served_to_anyone(media_root):
    response = Client().get("/media/videos/thumb-320.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [("/media/protected/secret.mp4", 404), ("/media/videos/none.jpg", 404), ("/media/../secret", 400)],
)
def test_protected_missing_or_outside_files_are_not_served(media_root, path, status):
    assert Client(raise_request_exception=False).get(path).status_code == status
