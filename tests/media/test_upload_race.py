"""The upload race on PostgreSQL: chunks fired at the same offset at the same moment, each from its own thread
and database connection. Exactly one is accepted; the file holds its bytes and nothing else."""

import io
import threading

import pytest
from django.db import connection, connections

from media import services
from media.models import UploadSession
from media.storage import partial_path
from tests import factories
from tests.media.factories import VideoFactory

CLIENTS = 8
CHUNK = 4096

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (set DATABASE_URL)")


def test_chunks_at_the_same_offset_at_once_one_is_accepted():
    maker = factories.OrganisationMembershipFactory()
    video = VideoFactory(host_organisation=maker.organisation)
    session = services.upload_session_create(video=video, by=maker.user, filename="film.mp4", size=CHUNK * 4)
    barrier = threading.Barrier(CLIENTS)
    outcomes = []

    def send(index: int):
        body = bytes([index]) * CHUNK
        try:
            barrier.wait()
            services.upload_chunk_append(
                session=session, start=0, length=CHUNK, total=CHUNK * 4, body=io.BytesIO(body)
            )
            outcomes.append(("accepted", index))
        except services.OffsetMismatch as mismatch:
            outcomes.append(("refused", mismatch.offset))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    accepted = [index for outcome, index in outcomes if outcome == "accepted"]
    assert len(accepted) == 1
    assert sorted(value for outcome, value in outcomes if outcome == "refused") == [CHUNK] * (CLIENTS - 1)
    assert UploadSession.objects.get(pk=session.pk).bytes_received == CHUNK
    assert partial_path(session.pk).read_bytes() == bytes([accepted[0]]) * CHUNK
