"""Video room fixtures: generated sample files and an uploader that speaks the upload protocol."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import AuthActions
from tests.helpers import csrf_token

PART_TYPE = "application/offset+octet-stream"


@dataclass
class Uploader:
    """Drive POST/HEAD/PATCH/DELETE /videos/uploads like the browser does."""

    client: FlaskClient
    token: str

    def create(self, length: int, name: str = "clip.mp4") -> TestResponse:
        return self.client.post(
            "/videos/uploads",
            json={"length": length, "name": name},
            headers={"X-CSRFToken": self.token},
        )

    def patch(self, url: str, offset: int, body: bytes, **headers: str) -> TestResponse:
        return self.client.patch(
            url,
            data=body,
            headers={
                "X-CSRFToken": self.token,
                "Content-Type": PART_TYPE,
                "Upload-Offset": str(offset),
                "Accept": "application/json",
                **headers,
            },
        )

    def head(self, url: str) -> TestResponse:
        return self.client.head(url)

    def delete(self, url: str) -> TestResponse:
        return self.client.delete(
            url, headers={"X-CSRFToken": self.token, "Accept": "application/json"}
        )

    def send(self, data: bytes, name: str = "clip.mp4", part: int = 64 * 1024) -> TestResponse:
        """Create an upload and send `data` in parts; the last response."""
        created = self.create(len(data), name)
        assert created.status_code == 201, created.get_json()
        url, offset = created.get_json()["url"], 0
        while True:
            response = self.patch(url, offset, data[offset : offset + part])
            if response.status_code != 204:
                return response
            offset = int(response.headers["Upload-Offset"])


# A deployment that offers every platform (each is on once its client is configured): the
# library keeps a video when one of them can take it.
EVERY_PLATFORM = {"YOUTUBE_CLIENT_ID": "youtube-client", "META_APP_ID": "meta-app"}


def uploader_for(client: FlaskClient) -> Uploader:
    """An Uploader using the CSRF token from the upload page."""
    return Uploader(client, csrf_token(client, "/videos/upload"))


@pytest.fixture
def uploader(admin_client: FlaskClient) -> Uploader:
    """Upload as the signed-in admin."""
    return uploader_for(admin_client)


@pytest.fixture
def offering_uploader(make_app, users) -> Uploader:
    """Upload as the admin to a deployment that offers every platform (the same database)."""
    offering = make_app(**EVERY_PLATFORM)
    client = offering.test_client()
    assert AuthActions(offering, client).login().status_code == 302
    return uploader_for(client)


@pytest.fixture
def instance(app: Flask) -> Path:
    return Path(app.instance_path)


def leftovers(app: Flask) -> list[str]:
    """Part files still on disk (a finished, rejected or cancelled upload leaves none)."""
    partial = Path(app.instance_path) / "uploads" / ".partial"
    return sorted(p.name for p in partial.iterdir()) if partial.exists() else []
