"""The portal's test homes: one built per test module (a registry, a published warehouse, access codes) and copied
for each test, and a client of the portal's app on the copy. A module that needs another world defines `built`."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adep.portal.app import create_app
from tests.portal.portal_world import build_world, copy_world


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("portal-world"))


@pytest.fixture
def world(built, tmp_path):
    return copy_world(built, tmp_path)


@pytest.fixture
def client(world):
    with TestClient(create_app(world.settings)) as c:
        yield c
