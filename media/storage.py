"""Where the library's files live.

- Video files: the private storage `STORAGES["videos"]` when the settings name one (an S3 bucket through
  django-storages in production), else a `FileSystemStorage` at `MEDIA_VIDEO_ROOT` (default `var/videos`), which
  has no public URL: files are served by `media.views.playback.video_file`, which checks who asks.
- Posters and thumbnails: the default storage (public images under MEDIA_URL).
- Chunks of an upload in progress: a local folder, `MEDIA_UPLOAD_TEMP_DIR` (default `var/uploads-partial`), one
  file per upload session; the accepted file is then moved (renamed on one disk) into the video storage.
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


def video_storage() -> Storage:
    if "videos" in settings.STORAGES:
        return storages["videos"]
    root = getattr(settings, "MEDIA_VIDEO_ROOT", None) or settings.BASE_DIR / "var" / "videos"
    return FileSystemStorage(location=root, base_url=None)


def image_storage() -> Storage:
    return storages["default"]


def partial_dir() -> Path:
    root = Path(getattr(settings, "MEDIA_UPLOAD_TEMP_DIR", None) or settings.BASE_DIR / "var" / "uploads-partial")
    root.mkdir(parents=True, exist_ok=True)
    return root


def partial_path(session_id) -> Path:
    return partial_dir() / f"{session_id}.part"


def local_path(storage: Storage, name: str) -> Path | None:
    """The file's path on this machine, or None for a remote storage."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


class LocalFile(File):
    """A file already on disk: FileSystemStorage moves it (a rename) instead of copying it."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=path.name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def store_video(source: Path, name: str) -> str:
    """Moves an accepted upload into the video storage; returns the stored name."""
    storage = video_storage()
    upload = LocalFile(source)
    try:
        return storage.save(name, upload)
    finally:
        upload.close()
        source.unlink(missing_ok=True)


def delete_quietly(storage: Storage, name: str) -> None:
    if name:
        storage.delete(name)
