from django.db import migrations, models

from influmojo.migration_operations import PostgresSQL

# Typo search looks for close words in this short list through a trigram index (PostgreSQL only; SQLite's
# fallback matches text without it). The words of the cards that already exist are added here; from now on
# brands.services.cards adds them whenever a card is written.
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS name_word_trgm ON brands_nameword USING gin (word gin_trgm_ops)"
FILL = (
    "INSERT INTO brands_nameword (word) SELECT DISTINCT words.lexeme FROM brands_creatorcard c, "
    "unnest(to_tsvector('simple'::regconfig, c.display_name)) AS words ON CONFLICT DO NOTHING"
)



class Migration(migrations.Migration):

    dependencies = [
        ('brands', '0002_price_desc_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='NameWord',
            fields=[
                ('word', models.CharField(max_length=150, primary_key=True, serialize=False)),
            ],
        ),
        PostgresSQL([CREATE_INDEX, FILL], "DROP INDEX IF EXISTS name_word_trgm"),
    ]
