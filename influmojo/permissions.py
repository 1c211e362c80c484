"""Who is acting: `Actor` carries the user and the role that transition tables check."""

from dataclasses import dataclass

from rest_framework.permissions import BasePermission


@dataclass(frozen=True)
class Actor:
    user: object | None
    role: str  # creator | brand | agent | admin | system

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user=user, role=user.user_type)

    @classmethod
    def system(cls) -> "Actor":
        return cls(user=None, role="system")


class _RolePermission(BasePermission):
    roles: frozenset[str] = frozenset()
    message = "This action is not available to your account type."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.user_type in self.roles)


class IsCreator(_RolePermission):
    roles = frozenset({"creator"})


class IsBrand(_RolePermission):
    roles = frozenset({"brand"})


class IsAgent(_RolePermission):
    roles = frozenset({"agent", "admin"})
