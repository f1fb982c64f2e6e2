"""A storage that behaves like a bucket as far as our code can tell: it has no local paths (`path()` raises
NotImplementedError, like django-storages' S3Storage), so the library must go through `save`, `open`,
`exists`, `listdir` and `delete`. The bytes sit on disk so that the tests can see them; `save` copies the content
in chunks (a bucket cannot rename a local file) and records how it was given."""

from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage

BACKEND = "tests.media.remote_storage.RemoteLikeStorage"


class RemoteLikeStorage(FileSystemStorage):
    saved: list[dict] = []  # what each save received: the name, whether the content came from a file

    def __init__(self, **options):
        options.setdefault("base_url", "https://bucket.example/")
        super().__init__(**options)

    def path(self, name):
        raise NotImplementedError("A remote storage has no local paths.")

    def _on_disk(self, name) -> Path:
        return Path(super().path(name))

    def _open(self, name, mode="rb"):
        return File(self._on_disk(name).open(mode))

    def _save(self, name, content):
        target = self._on_disk(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as output:
            for chunk in content.chunks():
                output.write(chunk)
        self.saved.append({"name": name, "from_file": hasattr(content.file, "fileno")})
        return name

    def delete(self, name):
        self._on_disk(name).unlink(missing_ok=True)

    def exists(self, name):
        return self._on_disk(name).exists()

    def size(self, name):
        return self._on_disk(name).stat().st_size

    def listdir(self, path):
        folder = self._on_disk(path)
        if not folder.is_dir():
            raise FileNotFoundError(path)
        folders = [entry.name for entry in folder.iterdir() if entry.is_dir()]
        return folders, [entry.name for entry in folder.iterdir() if entry.is_file()]

    def url(self, name):
        return f"{self.base_url}{name}?signature=test"
