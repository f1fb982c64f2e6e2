"""Where the library's files live.

- Video files: the private storage `STORAGES["videos"]` when the settings name one (an S3-compatible bucket
  through django-storages, `MEDIA_VIDEO_S3_BUCKET`), else a `FileSystemStorage` at `MEDIA_VIDEO_ROOT` (default
  `var/videos`), which has no public URL: files are served by `media.views.playback.video_file`, which checks who
  asks (and, for a bucket, redirects to a short-lived signed URL).
- Posters and thumbnails: the default storage (public images under MEDIA_URL), names under `videos/<uuid>/`.
- Chunks of an upload in progress: a local folder, `MEDIA_UPLOAD_TEMP_DIR` (default `var/uploads-partial`), one
  file per upload session. The accepted file is then saved into the video storage: a rename on one disk, a
  streamed upload to a bucket. The same folder holds the local copy a remote file is probed from.

A storage without local paths (`local_path` gives None) is "remote": the code goes through `open`, `save` and
`delete` only, never through a path.
"""

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction

logger = logging.getLogger(__name__)

COPY_BLOCK = 1024 * 1024


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
    """A file already on disk: FileSystemStorage moves it (a rename) instead of copying it; a remote storage
    reads it in blocks (django-storages' S3 backend sends it as a multipart upload)."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=path.name)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def store_video(source: Path, name: str) -> str:
    """Moves an accepted upload into the video storage; returns the stored name. When the storage fails (a
    bucket out of reach), the local file stays: the transaction rolls back and the last chunk can be sent again."""
    storage = video_storage()
    upload = LocalFile(source)
    try:
        stored = storage.save(name, upload)
    finally:
        upload.close()
    source.unlink(missing_ok=True)
    return stored


@contextlib.contextmanager
def local_copy(storage: Storage, name: str) -> Iterator[Path]:
    """A path to read the stored file from, for PyAV: the file itself on a local storage; for a remote one, a
    temporary copy in the upload folder (streamed, never whole in memory), deleted when the block ends."""
    path = local_path(storage, name)
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(dir=partial_dir(), prefix="probe-", suffix=".video") as local:
        try:
            with storage.open(name, "rb") as remote:
                s3_object = getattr(remote, "obj", None)  # django-storages' S3File
                if s3_object is not None:
                    # boto3 writes the object straight into our file, in ranged parts; S3File.read() would
                    # first download all of it into a temporary file of its own.
                    s3_object.download_fileobj(local, Config=getattr(storage, "transfer_config", None))
                else:
                    shutil.copyfileobj(remote, local, COPY_BLOCK)
        except OSError:
            raise
        except Exception as error:
            # boto3's errors are not OSErrors: raised as one, a storage out of reach gets the tasks' retries
            # (backend.celery.RETRIED) like a disk error does.
            raise OSError(f"video storage: {error}") from error
        local.flush()
        yield Path(local.name)


def delete_quietly(storage: Storage, name: str) -> None:
    """Frees a name before a file is saved under it again (a missing file is the usual case)."""
    if name:
        storage.delete(name)


def _delete_stored(storage: Storage, names: list[str], folder: str) -> None:
    if folder:
        try:
            names = [*names, *(name for name in stored_under(storage, folder) if name not in names)]
        except Exception:
            logger.exception("stored files not listed folder=%s", folder)
    for name in names:
        try:
            if storage.exists(name):
                storage.delete(name)
            else:
                logger.info("stored file already gone name=%s", name)
        except Exception:
            # The rows are gone already: a file left behind is logged, the other files are still deleted.
            logger.exception("stored file not deleted name=%s", name)
    if folder:
        _remove_empty_folder(storage, folder)


def delete_after_commit(storage: Storage, names: Iterable[str] = (), *, folder: str = "") -> None:
    """Deletes stored files once the current transaction commits, never before: if it rolls back, the rows
    still point at their files. `folder`: also every file found under it then (a video's own folder, so that
    nothing written meanwhile stays behind). A file already gone is not an error (logged at info)."""
    names = [name for name in names if name]
    if names or folder:
        transaction.on_commit(lambda: _delete_stored(storage, names, folder), robust=True)


def stored_under(storage: Storage, folder: str) -> list[str]:
    """The names of the files stored under a folder (a key prefix on a bucket), sub-folders included; none
    when it does not exist."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for child in folders:
        names.extend(stored_under(storage, f"{folder}/{child}"))
    return names


def _remove_empty_folder(storage: Storage, folder: str) -> None:
    """A local storage keeps the folder of the files it deleted (a bucket has no folders)."""
    path = local_path(storage, folder)
    if path is not None:
        with contextlib.suppress(OSError):
            path.rmdir()
