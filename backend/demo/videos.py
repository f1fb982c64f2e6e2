"""Demo career videos: four published videos in four sectors, made by the demo organisation and the demo
association, each with a real playable file, French captions and a transcript, processed (poster and
thumbnails); and one draft of the demo organisation, still missing its file, captions and transcript.

They go through the library's own services, as an upload from the manage page would: an upload session
receives the file (a clip made once per load by `media.demo_clip` and copied for each video), PyAV checks it,
the processing runs at once, then the makers submit and platform staff publish. A video already there (same
title, same maker) is left alone, so loading twice changes nothing.
"""

import io
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from media import demo_clip, services
from media.captions import format_timestamp
from media.enums import UploadStatus, VideoLevel, VideoState
from media.models import Video


@dataclass(frozen=True)
class DemoVideo:
    title: str
    maker: str  # "organisation" or "association"
    sector: str
    domain: str
    job_title: str
    rome_code: str
    level: str
    tags: tuple[str, ...]
    description: str
    transcript: str = ""
    cues: tuple[tuple[float, float, str], ...] = ()
    audio_description: bool = False
    published: bool = True


VIDEOS = [
    DemoVideo(
        title="Électricienne de maintenance : une journée à l'atelier",
        maker="organisation",
        sector="I",
        domain="I13",
        job_title="Électricienne ou électricien de maintenance",
        rome_code="I1309",
        level=VideoLevel.ALL,
        tags=("électricité", "dépannage", "sécurité"),
        description=(
            "Sophie répare les machines d'un atelier de Saint-Denis : diagnostic, consignation, remplacement "
            "d'un moteur, essais. Elle raconte comment elle est arrivée là après un bac pro MELEC."
        ),
        transcript=(
            "Bonjour, je m'appelle Sophie, je suis électricienne de maintenance.\n\n"
            "Le matin, je regarde les demandes de dépannage de la nuit. Avant de toucher une machine, je la "
            "consigne : je coupe le courant et je vérifie qu'il n'y en a plus.\n\n"
            "Ce que j'aime, c'est chercher la panne, comme une enquête."
        ),
        cues=(
            (0.0, 3.5, "Bonjour, je m'appelle Sophie, je suis électricienne de maintenance."),
            (3.5, 7.5, "Avant de toucher une machine, je coupe le courant et je vérifie."),
            (7.5, 11.5, "Ce que j'aime, c'est chercher la panne, comme une enquête."),
        ),
    ),
    DemoVideo(
        title="Aide-soignant : prendre soin, la nuit comme le jour",
        maker="association",
        sector="J",
        domain="J15",
        job_title="Aide-soignant ou aide-soignante",
        rome_code="J1501",
        level=VideoLevel.LYCEE_PRO,
        tags=("santé", "hôpital", "soins"),
        description=(
            "Karim travaille de nuit dans un service de médecine. Toilette, repas, écoute : il montre ce qu'est "
            "le soin au quotidien et comment on devient aide-soignant après un bac pro ASSP."
        ),
        transcript=(
            "Je suis Karim, aide-soignant de nuit à l'hôpital.\n\n"
            "Je fais le tour des chambres, j'aide les patients à se retourner, je les rassure quand ils "
            "n'arrivent pas à dormir.\n\n"
            "Ce métier, c'est d'abord être attentif aux autres."
        ),
        cues=(
            (0.0, 4.0, "Je suis Karim, aide-soignant de nuit à l'hôpital."),
            (4.0, 8.0, "Je fais le tour des chambres et je rassure les patients."),
            (8.0, 11.5, "Ce métier, c'est d'abord être attentif aux autres."),
        ),
        audio_description=True,
    ),
    DemoVideo(
        title="Développeuse web : du besoin au site en ligne",
        maker="association",
        sector="M",
        domain="M18",
        job_title="Développeur ou développeuse web",
        rome_code="M1805",
        level=VideoLevel.COLLEGE,
        tags=("numérique", "informatique", "code"),
        description=(
            "Awa construit des sites pour des associations. Elle montre son écran, explique ce qu'est une ligne de "
            "code et pourquoi on travaille toujours en équipe."
        ),
        transcript=(
            "Salut, moi c'est Awa, je suis développeuse web.\n\n"
            "On me dit ce dont on a besoin, je l'écris en code, puis on le teste ensemble.\n\n"
            "Pas besoin d'être un génie des maths : il faut surtout être curieuse."
        ),
        cues=(
            (0.0, 3.5, "Salut, moi c'est Awa, je suis développeuse web."),
            (3.5, 7.5, "On me dit ce dont on a besoin, je l'écris en code, puis on teste."),
            (7.5, 11.5, "Pas besoin d'être un génie des maths : il faut être curieuse."),
        ),
    ),
    DemoVideo(
        title="Boulanger : le fournil avant l'aube",
        maker="association",
        sector="D",
        domain="D11",
        job_title="Boulanger ou boulangère",
        rome_code="D1102",
        level=VideoLevel.ALL,
        tags=("artisanat", "alimentation", "apprentissage"),
        description=(
            "À 4 heures du matin, Thomas pétrit, façonne et enfourne. Il parle de l'apprentissage en CAP, des "
            "horaires décalés et de la fierté de la première fournée."
        ),
        transcript=(
            "Je m'appelle Thomas, je suis boulanger.\n\n"
            "Je commence à 4 heures : je pétris la pâte, je la laisse pousser, puis je façonne les baguettes.\n\n"
            "Quand les premiers clients arrivent, tout doit être prêt."
        ),
        cues=(
            (0.0, 3.5, "Je m'appelle Thomas, je suis boulanger."),
            (3.5, 7.5, "Je commence à 4 heures : je pétris, je laisse pousser, je façonne."),
            (7.5, 11.5, "Quand les premiers clients arrivent, tout doit être prêt."),
        ),
    ),
]

DRAFT = DemoVideo(
    title="Technicienne fibre optique : raccorder un immeuble",
    maker="organisation",
    sector="I",
    domain="I13",
    job_title="Technicien ou technicienne fibre optique",
    rome_code="I1307",
    level=VideoLevel.LYCEE_PRO,
    tags=("fibre", "télécoms"),
    description="Un tournage en cours : le fichier, les sous-titres et la transcription restent à ajouter.",
    published=False,
)


@dataclass
class VideosReport:
    published: int
    drafts: int
    created: list[str]


@cache
def _clip() -> Path:
    """The demo clip, made once per process (a second load reuses it)."""
    folder = Path(tempfile.mkdtemp(prefix="passerelle-demo-clip-"))
    return demo_clip.make_clip(folder / "demo.mp4")


def _webvtt(cues) -> bytes:
    blocks = [f"{format_timestamp(start)} --> {format_timestamp(end)}\n{text}" for start, end, text in cues]
    return ("WEBVTT\n\n" + "\n\n".join(blocks) + "\n").encode()


def _send_file(video: Video, author) -> None:
    """The clip as an upload of this video, through the upload services, then processed at once."""
    with tempfile.TemporaryDirectory(prefix="passerelle-demo-") as folder:
        copy = Path(folder) / "video.mp4"
        shutil.copyfile(_clip(), copy)
        size = copy.stat().st_size
        session = services.upload_session_create(video=video, by=author, filename="passerelle-demo.mp4", size=size)
        step = services.max_chunk_bytes()
        with copy.open("rb") as handle:
            for start in range(0, size, step):
                # One stream per chunk: the service checks that a chunk has no byte past its length.
                chunk = io.BytesIO(handle.read(step))
                session = services.upload_chunk_append(
                    session=session, start=start, length=len(chunk.getvalue()), total=size, body=chunk
                )
    if session.status != UploadStatus.COMPLETE:
        raise RuntimeError(f"The demo clip was refused: {session.failure}")
    # The task queued after commit would do the same (idempotent); the demo needs it done now.
    services.video_process(video_id=video.pk)


def _ensure(spec: DemoVideo, *, makers: dict, authors: dict, staff) -> tuple[Video, bool]:
    maker, author = makers[spec.maker], authors[spec.maker]
    lookup = {"host_organisation": maker} if spec.maker == "organisation" else {"association": maker}
    video = Video.objects.filter(title=spec.title, **lookup).first()
    if video is not None:
        return video, False
    video = services.video_create(
        by=author,
        maker=maker,
        title=spec.title,
        description=spec.description,
        sector=spec.sector,
        domain=spec.domain,
        job_title=spec.job_title,
        rome_code=spec.rome_code,
        level=spec.level,
        tags=list(spec.tags),
        audio_description=spec.audio_description,
        transcript=spec.transcript,
    )
    if spec.published:
        _send_file(video, author)
        services.caption_set(video=video, by=author, language="fr", data=_webvtt(spec.cues), filename="fr.vtt")
        video = services.video_transition(video=video, by=author, action="submit")
        video = services.video_transition(video=video, by=staff, action="publish")
    return video, True


def load(*, organisation, association, employer, association_staff, staff) -> VideosReport:
    makers = {"organisation": organisation, "association": association}
    authors = {"organisation": employer, "association": association_staff}
    created = []
    for spec in [*VIDEOS, DRAFT]:
        video, made = _ensure(spec, makers=makers, authors=authors, staff=staff)
        if made:
            created.append(video.title)
    titles = [spec.title for spec in VIDEOS]
    return VideosReport(
        published=Video.objects.filter(title__in=titles, state=VideoState.PUBLISHED).count(),
        drafts=Video.objects.filter(title=DRAFT.title, state=VideoState.DRAFT).count(),
        created=created,
    )
