"""influmojo.prepared: the hot statements are prepared on PostgreSQL; everything else keeps client-side binding."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from influmojo.prepared import prepared_cursor

pytestmark = pytest.mark.django_db


def _prepared_statements(text: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement = %s", [text])
        return cursor.fetchone()[0]


def test_a_statement_answers_and_is_counted_like_any_other():
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute("SELECT %s + %s", [40, 2])
        assert cursor.fetchone()[0] == 42
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 40 + 2"]


@pytest.mark.postgres
def test_on_postgresql_it_is_prepared_on_its_second_run_and_reused():
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s::int * 7", [0])
    assert _prepared_statements("SELECT $1::int * 7") == 0  # once only: a connection used once prepares nothing
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute("SELECT %s::int * 7", [n])
            assert cursor.fetchone()[0] == n * 7
    assert _prepared_statements("SELECT $1::int * 7") == 1


@pytest.mark.postgres
def test_django_cursors_still_bind_on_the_client_and_prepare_nothing():
    with prepared_cursor() as cursor:  # sets the connection's threshold to 1: client cursors must still not prepare
        cursor.execute("SELECT 1")
    for n in range(6):
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int * 11", [n])
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%* 11"])
        assert cursor.fetchone()[0] == 0


@pytest.mark.postgres
def test_a_database_error_is_djangos_and_the_transaction_recovers():
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("SELECT 1 / %s", [0])
    with prepared_cursor() as cursor:
        cursor.execute("SELECT 1 / %s", [1])
        assert cursor.fetchone()[0] == 1
