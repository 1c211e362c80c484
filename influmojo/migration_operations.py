"""Migration operations the apps share."""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations


class PostgresExtension(CreateExtension):
    """CREATE EXTENSION on PostgreSQL only, both ways. Django's CreateExtension skips other databases going
    forwards but queries pg_extension going backwards, which fails when a test migrates SQLite back past it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgresSQL(migrations.RunSQL):
    """RunSQL on PostgreSQL only, both ways (an index SQLite cannot have, say); other databases skip it."""

    def __init__(self, sql, reverse_sql):
        super().__init__(sql, reverse_sql, elidable=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
