from django.db import migrations

from influmojo.migration_operations import PostgresSQL

# card_text_filters again, over the cards of mid-tier reach and up only (100K+ followers, SizeBand.MID's floor;
# ~11% of cards). A query asking for at least that reach (`followers >= 150000` implies the predicate, so the
# planner picks it by itself) intersects its text and list filters over posting lists a tenth as long: the
# words and platforms in a third of all cards make card_text_filters decode ~300,000 entries each, whatever
# the reach filter leaves. At 1M cards: 15 MB, built in 3 s; the bench's AI search ("tech YouTubers over 100K
# who review gadgets, budget 500-2000") SQL p95 87.5 -> 15-19 ms (bench/README.md).
CREATE = (
    "CREATE INDEX IF NOT EXISTS card_text_filters_100k ON brands_creatorcard USING gin (search_vector, country, "
    "platforms jsonb_path_ops, categories jsonb_path_ops, niches jsonb_path_ops, languages jsonb_path_ops) "
    "WHERE listed AND followers >= 100000"
)


class Migration(migrations.Migration):
    dependencies = [("brands", "0004_text_filters_index")]

    operations = [PostgresSQL(CREATE, "DROP INDEX IF EXISTS card_text_filters_100k")]
