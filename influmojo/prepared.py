"""`prepared_cursor()`: for the few statements that run on every chat message, PostgreSQL parses and plans them once
per connection instead of on every run.

Django binds parameters on the client (psycopg's ClientCursor): each statement reaches PostgreSQL as new text, to be
parsed and planned again. For a chat send that was most of PostgreSQL's work: 2.3 ms of its CPU per message, of which
planning ~0.9 ms and running the statements ~0.4 ms (pg_stat_statements, bench/ws.py's statements); prepared, 1.0 ms.
The rest of the project keeps client-side binding on purpose: server-side binding has PostgreSQL's limit of 65,535
parameters per statement, which Django 5.2 does not split bulk_create() or large `__in` lookups for.

Behind a pooler in transaction mode, prepared statements need one that keeps them (PgBouncer 1.21+,
max_prepared_statements); there is none in front of PostgreSQL here.
"""

from django.db import connection
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
from django.db.backends.utils import CursorWrapper


def table(model) -> str:
    """The model's table name, quoted for the database, for statements written out in SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def prepared_cursor():
    """A cursor for fixed statements with a few parameters (Django's wrapper: logged, counted, its errors Django's):
    on PostgreSQL its parameters are bound by the server and each statement is prepared on its second run on this
    connection (psycopg keeps the last 100): a connection closed after one request (CONN_MAX_AGE 0) never pays the
    extra round trip of preparing. Elsewhere (SQLite) the usual cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    raw.prepare_threshold = 1  # only server-binding cursors prepare; Django's usual (client-side) cursors never do
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(raw)
        if connection.queries_logged:  # DEBUG, or a test counting queries
            connection.validate_thread_sharing()
            return _LoggedCursor(cursor, connection)
        return connection._prepare_cursor(cursor)


class _LoggedCursor(CursorDebugWrapper):
    """Logs each statement with its values in, as Django does under server-side binding (a prepared statement's run
    leaves Django's query log no text to read)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)
