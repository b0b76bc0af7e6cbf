"""Fixtures: an application with test settings, and a client that runs its lifespan."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from catalog_service.clients._http import reset_breakers
from catalog_service.main import create_app
from catalog_service.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, consul_enabled=False)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    reset_breakers()
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
