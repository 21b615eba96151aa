"""Dev tokens cannot be forged across checkouts (issue 16 item 10): the signing secret is random per checkout, kept
in `.local/`, never a default; dev auth is refused on a bind other than loopback."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devhost import cli
from devhost.devsecret import SECRET_FILE, ensure_dev_secret, refuse_dev_auth_off_loopback
from domain.settings import VARS

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the bind these tests expect to be refused


def test_each_checkout_gets_its_own_random_secret_made_once(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    envs: list[dict[str, str]] = [{}, {}, {}]
    ensure_dev_secret(first, envs[0])
    ensure_dev_secret(first, envs[1])  # the next run of the same checkout
    ensure_dev_secret(second, envs[2])
    assert envs[0]["DEV_AUTH_SECRET"] == envs[1]["DEV_AUTH_SECRET"] != envs[2]["DEV_AUTH_SECRET"]
    assert len(envs[0]["DEV_AUTH_SECRET"]) >= 32
    assert stat.S_IMODE((first / SECRET_FILE).stat().st_mode) == 0o600


def test_a_secret_set_by_the_user_wins_and_other_modes_get_none(tmp_path: Path) -> None:
    env = {"DEV_AUTH_SECRET": "mine-" * 8}
    ensure_dev_secret(tmp_path, env)
    assert env["DEV_AUTH_SECRET"] == "mine-" * 8 and not (tmp_path / SECRET_FILE).exists()
    entra = {"AUTH_MODE": "entra"}
    ensure_dev_secret(tmp_path, entra)
    assert "DEV_AUTH_SECRET" not in entra


def test_no_default_secret_in_code_or_in_the_sample_settings() -> None:
    var = next(v for v in VARS if v.env == "DEV_AUTH_SECRET")
    assert var.default is None
    sample = (Path(__file__).resolve().parents[3] / "local.settings.sample.json").read_text()
    assert '"DEV_AUTH_SECRET": ""' in sample


BINDS = [("127.0.0.1", False), ("::1", False), ("localhost", False), (ALL_INTERFACES, True), ("::", True),
         ("192.168.1.5", True)]  # fmt: skip


@pytest.mark.parametrize(("bind", "refused"), BINDS)
def test_dev_auth_is_refused_off_loopback(bind: str, refused: bool) -> None:
    assert (refuse_dev_auth_off_loopback(bind, {}) is not None) is refused
    assert refuse_dev_auth_off_loopback(bind, {"AUTH_MODE": "entra"}) is None


def test_the_host_does_not_start_with_dev_auth_on_all_interfaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTH_MODE", raising=False)
    assert cli.main(["start", "--app", str(tmp_path), "--host", ALL_INTERFACES, "--port", "1"]) == 2
    assert "refusing to serve AUTH_MODE=dev on 0.0.0.0" in capsys.readouterr().err
