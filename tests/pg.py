"""A PostgreSQL server for the tests, on 127.0.0.1 only, or a skip that says what is missing.

Where the server comes from, in order:
1. ``TEST_DATABASE_URL`` from the environment: a server someone runs (``docker compose up -d
   postgres`` starts one on 127.0.0.1:5432). It must be on a loopback address, and its user must
   be allowed to create databases.
2. A throwaway cluster this module makes with ``initdb`` and ``pg_ctl`` in a temporary directory,
   listening on 127.0.0.1 on a free port, fsync off; stopped and deleted at the end of the session
   (Ctrl-C included). As root it runs as the ``postgres`` user, since PostgreSQL refuses root.
3. Neither: every test that asks for PostgreSQL is skipped with the reason.

Each test that asks for ``postgres_url`` gets a database of its own, created empty from
``template0`` and dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

NO_POSTGRES = "no PostgreSQL: install postgresql (initdb, pg_ctl) or set TEST_DATABASE_URL"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# Whoever runs initdb as root must hand the cluster to this system user.
SERVICE_USER = "postgres"
START_ATTEMPTS = 3
# A throwaway cluster for tests: nothing to keep, so nothing is flushed to disk.
FAST: dict[str, str] = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
# For measuring: crash-safe, commits acknowledged before they reach the disk, like the bot's
# SQLite (WAL, synchronous=NORMAL).
DURABLE: dict[str, str] = {"synchronous_commit": "off"}

T = TypeVar("T")


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says what is missing."""


@dataclasses.dataclass(frozen=True)
class PostgresServer:
    """A reachable PostgreSQL server.

    Attributes:
        url: a ``postgresql://`` URL of its maintenance database, as its superuser (or a user
            allowed to create databases).
    """

    url: str

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server, same user and password."""
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))

    def create_database(self, name: str) -> str:
        """Create database ``name``, empty, and return its URL."""
        # template0 is empty on every server, unlike template1 which an operator may have filled.
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing what a test left connected to it."""
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _execute(self, statement: str) -> None:
        async def execute() -> None:
            connection = await _connect(self.url)
            try:
                await connection.execute(statement)
            finally:
                await connection.close()

        run_async(execute)


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, on a thread with its own event loop.

    Fixtures call this while pytest-asyncio owns the test thread's event loop, which
    ``asyncio.run`` there would replace and close.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(_awaited(make)))
        except BaseException as exc:  # handed to the caller's thread below
            error.append(exc)

    thread = threading.Thread(target=target, name="postgres-fixture")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


async def _awaited(make: Callable[[], Awaitable[T]]) -> T:
    return await make()


async def _connect(url: str) -> Any:
    import asyncpg  # only the PostgreSQL tests need it

    return await asyncpg.connect(url, timeout=10)


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class BadServer(Exception):
    """``TEST_DATABASE_URL`` names a server the tests may not or cannot use; says which, why."""


def external_server(url: str) -> PostgresServer:
    """The server ``TEST_DATABASE_URL`` names, checked to be on loopback and reachable.

    Raises:
        BadServer: not a PostgreSQL URL, another host, or the server does not answer.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise BadServer(
            f"TEST_DATABASE_URL={redacted(url)}: expected postgresql://user@127.0.0.1/db"
        )
    if parts.hostname not in LOOPBACK:
        raise BadServer(
            f"TEST_DATABASE_URL={redacted(url)}: tests reach 127.0.0.1 only; "
            "point it at a local server (docker compose up -d postgres)"
        )
    try:
        run_async(lambda: server_settings(url))
    except Exception as exc:
        raise BadServer(
            f"TEST_DATABASE_URL={redacted(url)}: cannot connect ({type(exc).__name__}: {exc}); "
            "start the server (docker compose up -d postgres) or unset TEST_DATABASE_URL"
        ) from None
    return PostgresServer(url)


async def server_settings(url: str) -> str:
    """The server's version and how it writes commits, e.g. ``15.18 (fsync on, ...)``."""
    connection = await _connect(url)
    try:
        version = await connection.fetchval("SHOW server_version")
        shown = [
            f"{name} {await connection.fetchval(f'SHOW {name}')}"
            for name in ("fsync", "synchronous_commit", "full_page_writes")
        ]
        return f"{version} ({', '.join(shown)})"
    finally:
        await connection.close()


def find_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            )
            candidates.append(Path(out.stdout.strip()))
    # Debian puts the server binaries beside each other per major version, outside PATH.
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates.extend(sorted(versions, key=_major_version, reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _major_version(bindir: Path) -> int:
    version = bindir.parent.name
    return int(version) if version.isdigit() else 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on 127.0.0.1.

    Args:
        bindir: where ``initdb``, ``pg_ctl`` and ``postgres`` are.
        settings: server settings (:data:`FAST` or :data:`DURABLE`).

    Raises:
        Unavailable: running as root with no ``postgres`` user to run the server as.
    """

    def __init__(self, bindir: Path, settings: Mapping[str, str] = FAST) -> None:
        self.bindir = bindir
        self.settings = dict(settings)
        self.root = Path(tempfile.mkdtemp(prefix="reading-group-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._as: dict[str, Any] = {}
        self._started = False
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                raise Unavailable(
                    f"{NO_POSTGRES}: running as root and there is no '{SERVICE_USER}' user to "
                    "run the server as (PostgreSQL refuses root)"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def start(self) -> PostgresServer:
        """Initialise the cluster and start it on a free port; returns the server."""
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        for attempt in range(START_ATTEMPTS):
            self.port = free_port()
            options = " ".join(
                (
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self.port}",
                    f"-c unix_socket_directories={self.root}",
                    "-c max_connections=200",
                    *(f"-c {name}={value}" for name, value in self.settings.items()),
                )
            )
            try:
                self._run(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                    "-w", "-t", "60", "start",
                )  # fmt: skip
            except subprocess.CalledProcessError:
                # Another process may have taken the free port between the probe and the bind.
                if attempt == START_ATTEMPTS - 1:
                    raise
                continue
            self._started = True
            break
        atexit.register(self.stop)
        return PostgresServer(f"postgresql://postgres@127.0.0.1:{self.port}/postgres")

    def stop(self) -> None:
        """Stop the server (immediately: its data is thrown away) and delete its directory."""
        if self._started:
            self._started = False
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        try:
            subprocess.run(
                [str(self.bindir / program), *args],
                cwd=self.root,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
                # Its own session: Ctrl-C reaches pytest, which stops the server in order.
                start_new_session=True,
                **self._as,
            )
        except subprocess.CalledProcessError as exc:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            exc.add_note(f"{program} said: {exc.stderr.strip()}\n{log}")
            raise


@contextlib.contextmanager
def local_server(settings: Mapping[str, str] = FAST) -> Iterator[PostgresServer]:
    """``TEST_DATABASE_URL``'s server, else a throwaway cluster with ``settings``, stopped when
    the block ends.

    Raises:
        Unavailable: neither (no asyncpg, no PostgreSQL binaries, no user to run them as).
        BadServer: ``TEST_DATABASE_URL`` names a server that may not or cannot be used.
    """
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        raise Unavailable("no asyncpg: install the dev extra (pip install -e '.[dev]')") from None
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield external_server(url)
        return
    bindir = find_bindir()
    if bindir is None:
        raise Unavailable(NO_POSTGRES)
    cluster = Cluster(bindir, settings)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (see the module's docstring for where it comes from)."""
    try:
        with local_server() as server:
            yield server
    except Unavailable as exc:
        pytest.skip(str(exc))
    except BadServer as exc:
        pytest.fail(str(exc), pytrace=False)


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database of this test's own, dropped afterwards."""
    # The process id keeps parallel sessions (pytest-xdist workers) sharing one server apart.
    name = f"rg_test_{os.getpid()}_{next(_database_numbers)}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)
