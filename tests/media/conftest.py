import hashlib

import pytest
from django.urls import reverse

from tests import factories
from tests.media import samples


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    """Every test of the library writes its files in its own folders."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.MEDIA_VIDEO_ROOT = tmp_path / "videos"
    settings.MEDIA_UPLOAD_TEMP_DIR = tmp_path / "partial"
    return tmp_path


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("samples")


@pytest.fixture(scope="session")
def sample(sample_dir):
    """The sample files, made once per test run: `sample("h264")` gives the path."""
    makers = {
        "h264": lambda path: samples.h264_mp4(path),
        "h264_silent": lambda path: samples.h264_mp4(path, audio=False),
        "vp9": samples.vp9_webm,
        "mpeg4": samples.mpeg4_part2_mp4,
        "text": samples.text_file,
        "empty": samples.empty_file,
        "faststart": samples.h264_mp4_faststart,
    }
    extensions = {"vp9": "webm"}
    made = {}

    def get(name):
        if name not in made:
            if name == "truncated":
                made[name] = samples.truncated(get("h264"), sample_dir / "truncated.mp4")
            elif name == "truncated_faststart":
                made[name] = samples.truncated(get("faststart"), sample_dir / "truncated-fs.mp4", keep=0.6)
            else:
                made[name] = makers[name](sample_dir / f"{name}.{extensions.get(name, 'mp4')}")
        return made[name]

    return get


@pytest.fixture
def maker(db):
    """A confirmed employer of a host organisation."""
    return factories.OrganisationMembershipFactory()


@pytest.fixture
def maker_client(client, maker):
    client.force_login(maker.user)
    return client


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_upload(client, video, data: bytes, **extra):
    response = client.post(
        reverse("videos:api-upload-create"),
        {"video": video.pk, "filename": "film.mp4", "size": len(data), **extra},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def put_chunk(client, upload_id, data: bytes, start: int, total: int):
    return client.put(
        reverse("videos:api-upload-detail", kwargs={"pk": upload_id}),
        data=data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"},
    )


def upload_all(client, video, data: bytes, *, chunk: int = 1000):
    """Sends the whole file in chunks; returns the last response."""
    upload = open_upload(client, video, data)
    response = None
    for start in range(0, len(data), chunk):
        response = put_chunk(client, upload["id"], data[start : start + chunk], start, len(data))
        if response.status_code != 200:
            return response
    return response
