from django.db import migrations

from influmojo.migration_operations import PostgresSQL

# "-price" (dearest first, unpriced creators last) reads this index; SQLite cannot index NULLS LAST.
CREATE = "CREATE INDEX IF NOT EXISTS card_price_desc ON brands_creatorcard (min_price DESC NULLS LAST, creator_id DESC) WHERE listed"


class Migration(migrations.Migration):
    dependencies = [("brands", "0001_initial")]

    operations = [PostgresSQL(CREATE, "DROP INDEX IF EXISTS card_price_desc")]
