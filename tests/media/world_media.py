"""What the `world` fixture holds for the video library (called by tests/conftest.py)."""

import os
import tempfile

from media.storage import local_path, video_storage
from tests.media.factories import CaptionFactory, UploadSessionFactory, VideoFactory, VideoFileFactory

WORLD_FILE = "tests/world-video.mp4"


def _write_world_file() -> None:
    """A small file behind the published video, written in place (atomically: parallel workers share it)."""
    path = local_path(video_storage(), WORLD_FILE)
    if path is None or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as output:
        output.write(bytes(range(256)) * 4)
    os.replace(temporary, path)


def extend(world: dict) -> None:
    """Add this area's objects to `world` (keys prefixed by "media_").

    A published video of the world's association, with its file and French captions; a draft of the world's
    organisation, and an upload of it opened by the organisation's employer."""
    _write_world_file()
    published = VideoFactory(association=world["association"], host_organisation=None, published=True)
    VideoFileFactory(video=published, storage_name=WORLD_FILE, size=1024)
    CaptionFactory(video=published)
    draft = VideoFactory(host_organisation=world["organisation"])
    world["media_video"] = published
    world["media_draft"] = draft
    world["media_upload"] = UploadSessionFactory(video=draft, owner=world["users"]["employer"])
    # A list of the world's teacher holding the published video, given to the world's class.
    from tests.media.factories import PlaylistAssignmentFactory, PlaylistFactory

    playlist = PlaylistFactory(owner=world["users"]["teacher"], videos=[published])
    PlaylistAssignmentFactory(playlist=playlist, school_class=world["school_class"])
    world["media_playlist"] = playlist
