"""The library's pages in Debian's Chromium: a pupil opens the library from the header, finds a video, opens its
page, turns the captions off and on again with the keyboard, and plays it to the end: the player reports it and
the page says "Vidéo vue". axe-core finds nothing on either page; no error, no CSP violation, no outside call."""

import pytest
from playwright.sync_api import expect

from media.models import VideoFile, WatchProgress
from media.storage import video_storage
from tests import factories
from tests.browser_support import focus_with_tab, log_in
from tests.media import samples
from tests.media.factories import CaptionFactory, VideoFactory

pytestmark = pytest.mark.browser

TITLE = "Électricienne, une journée sur le chantier"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nBonjour, je suis électricienne.\n"


def a_video(tmp_path):
    """A published one-second H.264 video with French captions, its file in the video storage."""
    clip = samples.h264_mp4(tmp_path / "chantier.mp4")
    video = VideoFactory(
        published=True,
        title=TITLE,
        sector="F",
        domain="F16",
        duration=1.0,
        transcript="Bonjour, je suis électricienne.",
    )
    name = f"videos/{video.uuid}/chantier.mp4"
    with clip.open("rb") as handle:
        video_storage().save(name, handle)
    VideoFile.objects.create(
        video=video,
        storage_name=name,
        size=clip.stat().st_size,
        container="mp4",
        content_type="video/mp4",
        video_codec="h264",
        audio_codec="aac",
        width=160,
        height=120,
        duration=1.0,
    )
    CaptionFactory(video=video, webvtt=VTT)
    return video, clip


def serve_file_and_captions(page, clip, video) -> None:
    """The file and the caption track, answered by the browser test itself. In the embedded mode the live
    server's threads share one in-memory SQLite connection, and the two requests the player sends at once
    collide there ("database table is locked"); serving them is `test_playback.py`'s business, not this page's."""
    page.route(
        f"**/videos/{video.pk}/sous-titres/fr.vtt",
        lambda route: route.fulfill(status=200, body=VTT, content_type="text/vtt; charset=utf-8"),
    )
    page.route(
        f"**/videos/{video.pk}/fichier",
        lambda route: route.fulfill(status=200, body=clip.read_bytes(), content_type="video/mp4"),
    )


def test_browse_open_toggle_captions_and_watch(ui, media_dirs, tmp_path):
    page = ui.page
    video, clip = a_video(tmp_path)
    serve_file_and_captions(page, clip, video)
    pupil = factories.EnrolmentFactory(pupil__first_name="Inès", pupil__last_name="Benali").pupil

    # 1. The library, from the header.
    log_in(ui, pupil.username, factories.PASSWORD, lands_on="/espace/eleve/")
    page.locator("#main-navigation").get_by_role("link", name="Vidéos", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Découvrir les métiers en vidéo")
    expect(page.get_by_role("heading", name="1 vidéo", level=2)).to_be_visible()
    ui.check()

    # Choosing a sector narrows the domains to its own.
    page.locator("#id_sector").select_option("F")
    domains = page.locator("#id_domain optgroup")
    expect(domains).to_have_count(1)
    expect(domains).to_have_attribute("label", "Construction, bâtiment et travaux publics")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(ui.url("/videos/?q=&sector=F&domain=&level=&duration="))
    ui.check()

    # 2. The video page: captions on by default.
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(ui.url(f"/videos/{video.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("heading", name="Transcription")).to_be_visible()
    toggle = page.locator("#captions-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Sous-titres : activés")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"
    assert page.evaluate("document.querySelector('video').autoplay") is False
    ui.check()

    # 3. Off and on again with the keyboard.
    page.locator("h1").click()
    focus_with_tab(page, "#captions-toggle")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_text("Sous-titres : désactivés")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "hidden"
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.querySelector('video').textTracks[0].mode") == "showing"

    # 4. Played to the end (muted: a page may play a muted video without a click): reported and announced.
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
    expect(page.locator("#player-status")).to_have_text("Vidéo vue", timeout=15_000)
    progress = WatchProgress.objects.get(video=video, user=pupil)
    assert progress.watched_at is not None
    assert progress.played_seconds >= 0.8
    ui.check()
