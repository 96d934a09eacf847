"""docker-compose.yml: its PostgreSQL is local-only and matches the test URL it shows."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

COMPOSE = Path(__file__).parent.parent / "docker-compose.yml"


def test_every_published_port_is_on_loopback_only() -> None:
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    ports = [port for service in services.values() for port in service.get("ports", [])]
    assert ports
    assert all(str(port).startswith("127.0.0.1:") for port in ports), ports


def test_the_postgres_service_has_a_healthcheck_and_a_named_volume() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    postgres = compose["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def test_the_test_url_it_shows_reaches_the_service() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    shown = re.search(r"TEST_DATABASE_URL=(\S+)", text)
    assert shown is not None
    url = urlsplit(shown.group(1))
    postgres = yaml.safe_load(text)["services"]["postgres"]
    environment = postgres["environment"]
    published = postgres["ports"][0].split(":")
    assert (url.hostname, str(url.port)) == (published[0], published[1])
    assert url.username == environment["POSTGRES_USER"]
    assert url.password == environment["POSTGRES_PASSWORD"]
    assert url.path == "/" + environment["POSTGRES_DB"]
