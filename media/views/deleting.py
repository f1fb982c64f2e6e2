"""Deleting a video for good: `videos:delete` (/videos/<pk>/supprimer).

GET: the confirmation page, which says what goes (the file, the images, captions, transcript and history, its
places in teachers' playlists); POST deletes (`services.video_delete`: rows now, stored files after commit) and
goes back to the maker's videos. For whoever manages the video (`can_manage_video`), else 404. Makers delete a
draft or a withdrawn video; a video in review or published is withdrawn first (the page says so and offers no
button); platform staff delete any video.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from media import permissions, selectors, services
from media.models import Video


@require_http_methods(["GET", "POST"])
def delete(request, pk):
    video = get_object_or_404(Video.objects.select_related("host_organisation", "association"), pk=pk)
    if not permissions.can_manage_video(request.user, video):
        raise Http404
    refusal = services.deletion_refusal(video=video, actor=request.user)
    if request.method == "POST" and not refusal:
        try:
            services.video_delete(video=video, actor=request.user)
        except services.VideoError as error:
            refusal = error.messages[0]
        else:
            messages.success(request, _("La vidéo « %(title)s » et ses fichiers sont supprimés.") % {"title": video})
            return redirect("videos:mine")
    return render(
        request,
        "media/delete_confirm.html",
        {
            "video": video,
            "refusal": refusal,
            "summary": selectors.deletion_summary(video),
            "page_title": _("Supprimer une vidéo"),
        },
        status=409 if request.method == "POST" else 200,
    )
