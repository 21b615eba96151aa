"""The host's memory on a large CSV upload, on an Azurite and a devhost of its own: one JSON document.

- `one_upload`: a 49 MB CSV as multipart/form-data: the host's resident memory before, its peak during the upload
  (VmHWM, reset before), and the difference.
- `six_at_once`: six such uploads at the same time: the peak above the resting memory.
- `direct_upload`: the same file PUT straight to Blob Storage with the upload URL the API hands out, then committed:
  the host's peak above rest while it profiles the blob (the file never passes through the host's request).

    .venv/bin/python bench/uploads.py [--mb 49] [--app DIR]     # --app: another checkout, to compare
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from devhost.azurite import free_port, start_azurite
from devhost.testing import spawn
from domain.auth.dev_tokens import mint_dev_token
from domain.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))


def csv_of(mb: int) -> bytes:
    line = b"".join(b"%d,%0.4f,%s,%d\n" % (i, i * 0.37, b"yes" if i % 3 else b"no", i % 97) for i in range(1000))
    body = b"id,x,label,bucket\n"
    return body + line * (mb * 1024 * 1024 // len(line))


def memory(pid: int, field: str) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith(field + ":"):
            return round(int(row.split()[1]) / 1024, 1)
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux >= 4.0)


def multipart(client: httpx.Client, tenant: str, name: str, data: bytes) -> int:
    files = {"file": ("data.csv", data, "text/csv")}
    return client.post(f"/tenants/{tenant}/datasets", files=files, data={"name": name}).status_code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=49)
    parser.add_argument("--app", default=str(ROOT), help="the checkout whose host is measured")
    args = parser.parse_args()
    data = csv_of(args.mb)
    result: dict[str, Any] = {"upload_bytes": len(data), "app": args.app}
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as work, start_azurite(in_memory=True) as azurite:
        port, tag = free_port(), uuid.uuid4().hex[:8]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")} | {
            "AzureWebJobsStorage": azurite.connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "DATA_TABLE_PREFIX": f"bu{tag}",
            "TASKHUB_NAME": f"hub{tag}",
            "LOCAL_AUTOML_WORKDIR": str(Path(work) / "automl"),
            "MAX_UPLOAD_BYTES": str(100 * 1024 * 1024),
        }
        host = spawn(args.app, env, str(Path(work) / "devhost.log"), port=port)
        try:
            settings = load_settings({"DEV_AUTH_SECRET": DEV_SECRET})
            token = mint_dev_token(settings, user="bench", platform_admin=True)
            api = httpx.Client(base_url=f"{host.base_url}/api/v1", timeout=600,
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            tenant = api.post("/tenants", json={"name": f"u-{tag}", "ownerUserId": "bench"}).json()["id"]
            pid = host.process.pid
            assert multipart(api, tenant, "warm", b"a,b\n1,2\n") == 201  # imports and clients warmed up
            rest = memory(pid, "VmRSS")
            reset_peak(pid)
            status = multipart(api, tenant, "one", data)
            peak = memory(pid, "VmHWM")
            result["one_upload"] = {"status": status, "rss_before_mb": rest, "peak_mb": peak,
                                    "peak_delta_mb": round(peak - rest, 1)}  # fmt: skip
            rest = memory(pid, "VmRSS")
            reset_peak(pid)
            codes: list[int] = []
            threads = [
                threading.Thread(target=lambda i=i: codes.append(multipart(api, tenant, f"six{i}", data)))
                for i in range(6)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            peak = memory(pid, "VmHWM")
            result["six_at_once"] = {"statuses": sorted(codes), "rss_before_mb": rest, "peak_mb": peak,
                                     "peak_delta_mb": round(peak - rest, 1)}  # fmt: skip
            ds = api.post(f"/tenants/{tenant}/datasets", json={"name": "direct", "uri": "https://x/y.csv"})
            grant = api.post(f"/tenants/{tenant}/datasets/{ds.json()['id']}/uploads")
            if grant.status_code == 201:
                g = grant.json()
                put = httpx.put(g["uploadUrl"], content=data, headers=g["headers"], timeout=600)
                rest = memory(pid, "VmRSS")
                reset_peak(pid)
                commit = api.post(f"/tenants/{tenant}/datasets/{ds.json()['id']}/uploads/{g['id']}:commit")
                peak = memory(pid, "VmHWM")
                result["direct_upload"] = {"put_status": put.status_code, "commit_status": commit.status_code,
                                           "peak_delta_mb": round(peak - rest, 1)}  # fmt: skip
            else:
                result["direct_upload"] = {"status": grant.status_code, "note": "not offered by this checkout"}
        finally:
            host.stop()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
