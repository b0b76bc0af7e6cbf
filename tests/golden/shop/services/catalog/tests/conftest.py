"""Fixtures: an application with test settings, a client that runs its lifespan, and one client
per test module for the tests that only read the application (its stubs, its OpenAPI document)."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from catalog_service.clients._http import reset_breakers
from catalog_service.main import create_app
from catalog_service.settings import Settings


def _settings() -> Settings:
    return Settings(_env_file=None, consul_enabled=False)


def _app(settings: Settings) -> FastAPI:
    reset_breakers()
    return create_app(settings)


@pytest.fixture
def settings() -> Settings:
    return _settings()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return _app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def stub_client() -> Iterator[TestClient]:
    """One application for the tests that change nothing: building one per test made the
    route tests of a service with 200 routes take 40 s."""
    with TestClient(_app(_settings())) as test_client:
        yield test_client
