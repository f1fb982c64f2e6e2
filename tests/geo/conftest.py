from pathlib import Path

import pytest

from backend.geo.services import import_communes
from tests.geo.samples import SAMPLE


@pytest.fixture
def sample_file() -> Path:
    return SAMPLE


@pytest.fixture
def communes(db):
    """The sample communes, imported."""
    import_communes(SAMPLE, apply=True)
