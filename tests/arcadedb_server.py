"""Start and stop a real Bolt server for tests and benchmarks: ArcadeDB's, from the
`arcadedb-embedded` wheel (which ships a JRE, the server jars and the Bolt plugin).

The server runs as a separate `java` process (`com.arcadedb.server.ArcadeDBServer`) bound to
127.0.0.1 on free ports, with a temporary root path holding its databases, configuration and
logs. Nothing is downloaded; no Python JVM bridge is loaded.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

#: The database the server creates at start-up (owned by root).
DATABASE = "genogram"
USER = "root"


class ArcadeDBUnavailable(RuntimeError):
    """The wheel is not installed or the server would not start (with the reason)."""


def wheel_dir() -> Path:
    """The installed `arcadedb_embedded` package folder (found without importing it)."""
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or not spec.submodule_search_locations:
        raise ArcadeDBUnavailable(
            "the arcadedb-embedded wheel is not installed (pip install -e '.[dev]')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM the server if this process dies, so a
    killed test run or benchmark never leaves a java process behind."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: stop() is then the only way
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ArcadeDBServer:
    """One ArcadeDB server process with the Bolt plugin; use `start()` and `stop()`."""

    def __init__(self, root: Path, *, heap: str = "1g") -> None:
        self.root = root
        self.heap = heap
        self.password = secrets.token_urlsafe(18)
        self.bolt_port = 0
        self.http_port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log = root / "server.log"

    @property
    def uri(self) -> str:
        """The Bolt URI of the running server."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def environ(self) -> dict[str, str]:
        """The GENOGRAM_NEO4J_* variables that point genogram at this server."""
        return {
            "GENOGRAM_NEO4J_USER": USER,
            "GENOGRAM_NEO4J_PASSWORD": self.password,
            "GENOGRAM_NEO4J_DATABASE": DATABASE,
        }

    def command(self) -> list[str]:
        """The java command line (class path: the wheel's jars)."""
        wheel = wheel_dir()
        java = wheel / "jre" / "bin" / "java"
        if not java.exists():
            raise ArcadeDBUnavailable(f"the arcadedb-embedded wheel has no JRE at {java}")
        props = {
            "arcadedb.server.rootPath": str(self.root),
            "arcadedb.server.rootPassword": self.password,
            "arcadedb.server.mode": "test",
            "arcadedb.server.httpIncomingHost": "127.0.0.1",
            "arcadedb.server.httpIncomingPort": str(self.http_port),
            "arcadedb.server.httpsIncomingPort": str(_free_port()),
            "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "arcadedb.bolt.host": "127.0.0.1",
            "arcadedb.bolt.port": str(self.bolt_port),
            "arcadedb.bolt.defaultDatabase": DATABASE,
            "arcadedb.server.defaultDatabases": f"{DATABASE}[{USER}]",
            "arcadedb.server.logsDirectory": str(self.root / "log"),
        }
        return [
            str(java),
            f"-Xmx{self.heap}",
            "-XX:+UseParallelGC",
            "-Djava.awt.headless=true",
            *(f"-D{k}={v}" for k, v in props.items()),
            "-cp",
            str(wheel / "jars" / "*"),
            "com.arcadedb.server.ArcadeDBServer",
        ]

    def start(self, timeout: float = 90.0) -> None:
        """Start the server and wait until its database answers over Bolt."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.bolt_port, self.http_port = _free_port(), _free_port()
        command = self.command()
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait(self, timeout: float) -> None:
        import neo4j

        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise ArcadeDBUnavailable(
                    f"ArcadeDB exited with status {self._process.returncode}; "
                    f"log:\n{self.log_tail()}"
                )
            try:
                with (
                    socket.create_connection(("127.0.0.1", self.bolt_port), timeout=1),
                    neo4j.GraphDatabase.driver(self.uri, auth=(USER, self.password)) as driver,
                    driver.session(database=DATABASE) as session,
                ):
                    session.run("RETURN 1").consume()
                    return
            except (OSError, neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                last = type(exc).__name__
            time.sleep(0.25)
        raise ArcadeDBUnavailable(
            f"ArcadeDB did not answer on {self.uri} within {timeout:.0f}s ({last}); "
            f"log:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's console log (for failure messages)."""
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server: SIGTERM (a clean shutdown), then SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> ArcadeDBServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def java_available() -> bool:
    """Whether the wheel (and so its JRE) is installed."""
    try:
        return (wheel_dir() / "jre" / "bin" / "java").exists()
    except ArcadeDBUnavailable:
        return False


__all__ = ["DATABASE", "USER", "ArcadeDBServer", "ArcadeDBUnavailable", "java_available"]

if __name__ == "__main__":  # pragma: no cover - manual use: print the server's address
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, ArcadeDBServer(Path(tmp)) as server:
        print(server.uri, server.environ(), os.getpid(), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
