from django.db import migrations

# "-price" (dearest first, unpriced creators last) reads this index; SQLite cannot index NULLS LAST.
CREATE = "CREATE INDEX IF NOT EXISTS card_price_desc ON brands_creatorcard (min_price DESC NULLS LAST, creator_id DESC) WHERE listed"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS card_price_desc")


class Migration(migrations.Migration):
    dependencies = [("brands", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
