"""Deleting a video in Debian's Chromium: an employer opens the confirmation page of her draft (axe-core finds
nothing, the page says what goes), confirms with the keyboard, and lands on her videos with the success message;
the file is gone from disk. A published video's page says to withdraw it first and offers no button."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from media.models import Video
from media.storage import local_path, video_storage
from tests import factories
from tests.browser_support import log_in
from tests.media.factories import VideoFactory, VideoFileFactory

pytestmark = pytest.mark.browser

TITLE = "Une journée de menuisière"


def test_a_maker_deletes_her_draft_after_confirming(ui, media_dirs):
    page = ui.page
    membership = factories.OrganisationMembershipFactory(organisation__name="Atelier Bois")
    draft = VideoFactory(host_organisation=membership.organisation, title=TITLE)
    stored = video_storage().save(f"{draft.uuid}/file.mp4", ContentFile(b"deleting does not read the file"))
    VideoFileFactory(video=draft, storage_name=stored, original_name="atelier.mp4")
    published = VideoFactory(host_organisation=membership.organisation, published=True, title="Déjà publiée")
    path = local_path(video_storage(), stored)
    assert path.exists()

    log_in(ui, membership.user.email, factories.PASSWORD, lands_on="/espace/structure/")

    # A published video: the page explains, and there is nothing to press.
    ui.goto(f"/videos/{published.pk}/supprimer")
    expect(page.get_by_role("heading", name="Cette vidéo ne peut pas être supprimée maintenant")).to_be_visible()
    expect(page.get_by_role("button", name="Supprimer définitivement")).to_have_count(0)

    # The draft: what goes, then the confirmation, by keyboard.
    ui.goto(f"/videos/{draft.pk}/supprimer")
    expect(page.get_by_role("heading", name=f"Supprimer définitivement « {TITLE} » ?", level=1)).to_be_visible()
    expect(page.get_by_text("le fichier vidéo « atelier.mp4 »")).to_be_visible()
    button = page.get_by_role("button", name=f"Supprimer définitivement « {TITLE} »")
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(ui.url("/videos/mes-videos/"))
    expect(page.get_by_text(f"La vidéo « {TITLE} » et ses fichiers sont supprimés.")).to_be_visible()
    ui.check()

    assert not Video.objects.filter(pk=draft.pk).exists()
    assert not path.exists()
    assert Video.objects.filter(pk=published.pk).exists()
