"""`python -m devhost` argument parsing: `start` is the default command; `token` takes --user/--platform-admin."""

from __future__ import annotations

import pytest

from devhost.cli import parser


def test_token_arguments() -> None:
    args = parser().parse_args(["token", "--user", "alice", "--platform-admin"])
    assert (args.command, args.user, args.platform_admin) == ("token", "alice", True)
    assert parser().parse_args(["token", "--user", "bob"]).platform_admin is False


def test_token_requires_a_user() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["token"])


def test_start_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "7444")
    args = parser().parse_args(["start", "--app", "x", "--storage", "conn", "--method-mismatch", "405"])
    assert (args.app, args.port, args.storage, args.method_mismatch) == ("x", 7444, "conn", 405)
