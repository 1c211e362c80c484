"""Console (Django admin) pieces every app's admin uses: role-based access and action messages."""

MESSAGE_NAMES_SHOWN = 10


def is_console_role(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.is_agent


class ConsoleRoleMixin:
    """Agents and admins use the console by role; others need Django's model permissions."""

    def has_module_permission(self, request):
        return is_console_role(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_console_role(request) or super().has_view_permission(request, obj)


def names_for_message(users: list[str]) -> str:
    shown = ", ".join(users[:MESSAGE_NAMES_SHOWN])
    hidden = len(users) - MESSAGE_NAMES_SHOWN
    return f"{shown} and {hidden} more" if hidden > 0 else shown


class ReadOnlyConsoleMixin:
    """The console only reads these rows: writes belong to the owning app's services (validation, ownership)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
