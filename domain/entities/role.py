"""A member's role in a tenant: owner > contributor > reader."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    READER = "reader"
    CONTRIBUTOR = "contributor"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Role) -> bool:
        """True when this role grants everything `other` grants."""
        return self.rank >= other.rank


_RANK = {Role.READER: 1, Role.CONTRIBUTOR: 2, Role.OWNER: 3}
