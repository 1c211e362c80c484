"""Migration operations the apps share."""

from django.contrib.postgres.operations import CreateExtension


class PostgresExtension(CreateExtension):
    """CREATE EXTENSION on PostgreSQL only, both ways. Django's CreateExtension skips other databases going
    forwards but queries pg_extension going backwards, which fails when a test migrates SQLite back past it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
