"""Start and stop a private Azurite (npm `azurite@3.35.0` from node_modules) on free loopback ports.

Used by `make run`, the test session and the benchmarks. Each instance is ours alone: we pick free ports, start the
process, check that it is *our* process answering (its PID is alive and the port accepts), and stop it by PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
# Azurite's well-known development key (public, documented by Microsoft); not a secret.
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connection_string(blob: int, queue: int, table: int, host: str = "127.0.0.1") -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
        f"BlobEndpoint=http://{host}:{blob}/{ACCOUNT};QueueEndpoint=http://{host}:{queue}/{ACCOUNT};"
        f"TableEndpoint=http://{host}:{table}/{ACCOUNT};"
    )


@dataclass
class Azurite:
    """A running Azurite. `connection_string` covers Blob, Queue and Table."""

    process: subprocess.Popen[bytes]
    blob_port: int
    queue_port: int
    table_port: int
    workdir: str
    log_path: str
    _owned_dir: bool = field(default=True, repr=False)

    @property
    def connection_string(self) -> str:
        return connection_string(self.blob_port, self.queue_port, self.table_port)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._owned_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Azurite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def azurite_binary() -> Path:
    binary = ROOT / "node_modules" / ".bin" / "azurite"
    if not binary.exists():
        raise RuntimeError(f"{binary} is missing: run `make install` (npm ci installs azurite@3.35.0)")
    return binary


def _wait_for_port(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited early with code {process.returncode}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"Azurite did not open port {port} in time")


def start_azurite(*, in_memory: bool = True, workdir: str | None = None, timeout: float = 30.0) -> Azurite:
    """Start Azurite on three free ports and wait until each accepts connections."""
    owned = workdir is None
    location = workdir or tempfile.mkdtemp(prefix="azurite-")
    blob, queue, table = free_port(), free_port(), free_port()
    log_path = os.path.join(location, "azurite.log")
    args = [
        str(azurite_binary()),
        "--silent",
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(blob),
        "--queueHost",
        "127.0.0.1",
        "--queuePort",
        str(queue),
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        str(table),
    ]
    # Azurite refuses --location together with --inMemoryPersistence; the folder still holds the log.
    args += ["--inMemoryPersistence"] if in_memory else ["--location", location]
    log = open(log_path, "wb")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        for port in (blob, queue, table):
            _wait_for_port(port, process, deadline)
    except Exception:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        raise RuntimeError(f"Azurite failed to start; its log: {Path(log_path).read_text()[-2000:]}") from None
    return Azurite(process, blob, queue, table, location, log_path, owned)
