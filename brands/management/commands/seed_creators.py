"""Generates many realistic creators fast, for discovery benchmarks: `manage.py seed_creators --count 1000000`.

What one creator gets (numbers reproducible with --seed):
- a user (creator, active, public profile, email `seed-creator-<id>@influmojo.test`) with one shared
  unusable password (`!` prefix: nobody can sign in as a seeded creator, and nothing is hashed per user);
- a CreatorProfile: name from fixed first/last name lists (so "Sarah Johnson" exists many times; the first
  creator of every run is one), a bio built from category phrases, 1-3 content categories from
  accounts.onboarding.CONTENT_CATEGORIES, 0-3 free-text niches, languages, a country drawn with weights
  (US, IN, GB, BR, ID, ...) and one of its cities;
- 1-4 social accounts on different platforms. Reach is log-normal (median ~6K, sigma 1.9: ~60% nano,
  ~30% micro, ~7% over 100K, ~0.4% over 1M); engagement falls with size (25 * followers^-0.2 percent, times
  a per-platform factor and log-normal noise); ~25% are OAuth-connected (no tokens stored), the rest
  self-reported;
- 1-3 active packages (plus an inactive one for ~10%) priced from the account's reach (~$8 per 1K
  followers, noisy, content-type factor, floor $25), USD;
- for a fraction of accounts (--snapshot-fraction, default 2%) 30 daily MetricsSnapshot rows ending today,
  with slow growth and, for a few, a one-day spike; 1M creators -> ~2M accounts -> ~40K accounts x 30
  = ~1.2M snapshot rows (snapshots are only read for profiles and audience quality, not by search);
- published reviews (1-5, mostly 4-5) for ~8% of creators; the profile's rating is their mean.

Rows for --count 1,000,000: ~1M users, 1M profiles, ~2M accounts, ~2.1M packages, ~1.2M snapshots, ~0.2M
reviews. Then discovery cards are built (brands.services.cards.cards_rebuild_all + discovery_scores_rebuild),
on PostgreSQL the filled tables are VACUUMed and ANALYZEd (the steady state autovacuum gives production), and
the facet summary is counted (what the beat job keeps fresh in production).

Writing: on PostgreSQL every table is streamed with COPY (psycopg `cursor.copy`), --batch creators per
transaction, ids taken from each table's own sequence (so the app's later inserts never collide); no index
or constraint is dropped. Elsewhere (SQLite, small N) rows go through bulk_create in the same batches.

Idempotency: a second run into a database that already holds seeded creators is refused unless --append
is given; appended creators get new ids, hence new e-mails and slugs.
"""

import inspect
import json
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import CreatorProfile, User
from accounts.onboarding import CONTENT_CATEGORIES, CONTENT_LANGUAGES
from brands.models import CreatorCard, EngagementBenchmark
from brands.services.facets import facet_summary_refresh
from creators.models import MetricsSnapshot, Package, Platform, Review, SocialAccount
from creators.services.packages import PLATFORM_CONTENT_TYPES

EMAIL_PREFIX = "seed-creator-"
EMAIL_DOMAIN = "@influmojo.test"
SHARED_PASSWORD = "!seeded-creator-no-login"  # "!" = Django's unusable-password marker: no sign-in, no hashing
SNAPSHOT_DAYS = 30

FIRST_NAMES = (
    "Sarah James Maria David Emma Michael Olivia Daniel Sophia Matthew Ava Joshua Isabella Andrew Mia Ryan "
    "Emily Ethan Chloe Noah Grace Lucas Zoe Liam Hannah Mason Lily Aiden Ella Caleb Aria Leo Nora Owen Maya "
    "Priya Arjun Ananya Rohan Aisha Vikram Kavya Rahul Sneha Aditya Pooja Karan Neha Ravi Divya Amit Meera "
    "Lucas Gabriel Ana Pedro Julia Rafael Beatriz Mateus Larissa Thiago Camila Bruno Fernanda Diego Valentina "
    "Putri Budi Dewi Agus Sari Rizky Ayu Dimas Wulan Fajar Siti Adi Chen Wei Yuki Hiro Min Ji Sofia Alejandro "
    "Lucia Carlos Elena Pablo Chiara Marco Giulia Luca Amelie Felix Lena Jonas Chloe Hugo Ines Louis Zara "
    "Omar Layla Tunde Chioma Emeka Ngozi Kofi Amara Jack Charlotte Harry Amelia Oliver George Freya Alfie"
).split()
LAST_NAMES = (
    "Johnson Smith Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson "
    "Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker "
    "Sharma Patel Singh Kumar Gupta Reddy Iyer Nair Mehta Joshi Rao Das Kapoor Chopra Bose Menon Pillai Verma "
    "Silva Santos Oliveira Souza Lima Pereira Costa Ferreira Almeida Ribeiro Carvalho Gomes Rocha Barbosa "
    "Wijaya Santoso Pratama Saputra Hidayat Kusuma Lestari Nugroho Setiawan Wang Li Zhang Liu Tanaka Sato "
    "Kim Park Nguyen Tran Rossi Russo Bianchi Muller Schmidt Schneider Fischer Dubois Martin Bernard Moreau "
    "Okafor Adeyemi Mensah Okonkwo Hassan Ali Khan Ahmed Murphy Kelly Walsh Byrne Cohen Levi Novak Kowalski"
).split()

# country: (weight, cities, languages besides English with the chance of listing English too)
COUNTRIES = {
    "US": (22, ["New York", "Los Angeles", "Chicago", "Austin", "Miami", "Seattle", "Atlanta", "Denver"], ["en"], 0.0),
    "IN": (18, ["Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Pune", "Kolkata", "Jaipur"],
           ["hi", "ta", "te", "mr", "bn", "kn", "ml", "gu", "pa"], 0.7),
    "GB": (8, ["London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol"], ["en"], 0.0),
    "BR": (8, ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Salvador", "Curitiba", "Recife"], ["pt"], 0.2),
    "ID": (7, ["Jakarta", "Surabaya", "Bandung", "Medan", "Yogyakarta", "Bali"], ["id"], 0.25),
    "PH": (4, ["Manila", "Cebu", "Davao", "Quezon City"], ["fil"], 0.8),
    "MX": (4, ["Mexico City", "Guadalajara", "Monterrey", "Puebla"], ["es"], 0.2),
    "NG": (3, ["Lagos", "Abuja", "Ibadan", "Port Harcourt"], ["en"], 0.0),
    "DE": (3, ["Berlin", "Munich", "Hamburg", "Cologne"], ["de"], 0.35),
    "FR": (3, ["Paris", "Lyon", "Marseille", "Bordeaux"], ["fr"], 0.25),
    "CA": (3, ["Toronto", "Vancouver", "Montreal", "Calgary"], ["en", "fr"], 0.0),
    "AU": (2, ["Sydney", "Melbourne", "Brisbane", "Perth"], ["en"], 0.0),
    "ES": (2, ["Madrid", "Barcelona", "Valencia", "Seville"], ["es"], 0.25),
    "IT": (2, ["Milan", "Rome", "Naples", "Turin"], ["it"], 0.25),
    "TR": (2, ["Istanbul", "Ankara", "Izmir"], ["tr"], 0.2),
    "JP": (2, ["Tokyo", "Osaka", "Kyoto"], ["ja"], 0.1),
    "KR": (1, ["Seoul", "Busan"], ["ko"], 0.15),
    "AE": (1, ["Dubai", "Abu Dhabi"], ["ar"], 0.8),
    "SG": (1, ["Singapore"], ["en", "zh"], 0.0),
    "VN": (1, ["Ho Chi Minh City", "Hanoi"], ["vi"], 0.2),
    "TH": (1, ["Bangkok", "Chiang Mai"], ["th"], 0.2),
    "ZA": (1, ["Johannesburg", "Cape Town"], ["en"], 0.0),
    "NL": (1, ["Amsterdam", "Rotterdam"], ["nl"], 0.6),
    "KE": (1, ["Nairobi", "Mombasa"], ["sw"], 0.8),
}

CATEGORY_WEIGHTS = {
    "lifestyle": 14, "fashion": 11, "beauty": 11, "fitness": 8, "food": 8, "travel": 7, "gaming": 6,
    "technology": 5, "entertainment": 5, "comedy": 4, "music": 4, "health": 4, "education": 3, "parenting": 3,
    "sports": 3, "finance": 2, "business": 2, "home": 2, "pets": 2, "art": 2, "photography": 2,
    "automotive": 1, "sustainability": 1,
}
# per category: a bio phrase and free-text niches
CATEGORY_TEXT = {
    "fashion": ("Styling everyday outfits and street style", ["streetwear", "thrift finds", "modest fashion", "sneakers", "capsule wardrobe"]),
    "beauty": ("Makeup tutorials and honest skincare reviews", ["skincare", "makeup tutorials", "clean beauty", "haircare", "nail art"]),
    "lifestyle": ("Sharing everyday moments, routines and favourite finds", ["daily vlogs", "productivity", "minimalism", "self care"]),
    "travel": ("Exploring cities, beaches and hidden gems on a budget", ["budget travel", "backpacking", "luxury hotels", "van life", "solo travel"]),
    "food": ("Cooking quick recipes and reviewing local restaurants", ["vegan recipes", "street food", "baking", "meal prep", "coffee"]),
    "fitness": ("Fitness coach posting home workouts and training plans", ["home workouts", "yoga", "calisthenics", "marathon training", "strength training", "pilates"]),
    "health": ("Talking wellness, mental health and healthy habits", ["mental health", "nutrition", "sleep", "mindfulness"]),
    "technology": ("Tech reviewer unboxing gadgets and explaining software", ["gadget reviews", "smartphones", "pc building", "ai tools", "smart home"]),
    "gaming": ("Gamer streaming and reviewing new releases", ["fps", "esports", "minecraft", "retro gaming", "mobile games"]),
    "education": ("Teaching study skills and explaining science simply", ["study tips", "language learning", "science", "history"]),
    "finance": ("Personal finance tips on saving, budgeting and investing", ["investing", "budgeting", "crypto", "side hustles"]),
    "business": ("Founder sharing lessons on startups and marketing", ["entrepreneurship", "marketing", "careers", "ecommerce"]),
    "entertainment": ("Movie reviews, pop culture and celebrity news", ["movie reviews", "k-pop", "anime", "tv series"]),
    "music": ("Musician covering songs and producing beats", ["guitar covers", "music production", "singing", "dj sets"]),
    "comedy": ("Sketches and comedy skits about everyday life", ["sketch comedy", "pranks", "memes", "stand-up"]),
    "sports": ("Sports fan and athlete sharing match analysis", ["football", "basketball", "cricket", "running", "cycling"]),
    "parenting": ("Parent sharing family life, tips and toys", ["mom life", "toddlers", "homeschooling", "family travel"]),
    "home": ("Home decor makeovers and DIY projects", ["interior design", "diy", "gardening", "organisation"]),
    "automotive": ("Car reviews, road trips and detailing", ["car reviews", "motorcycles", "ev", "car detailing"]),
    "pets": ("Life with my dogs and cats, pet care tips", ["dogs", "cats", "pet training", "aquariums"]),
    "art": ("Illustrator and designer sharing process videos", ["illustration", "digital art", "calligraphy", "ceramics"]),
    "photography": ("Photographer sharing editing tips and gear", ["street photography", "portraits", "drone", "photo editing"]),
    "sustainability": ("Living low-waste and reviewing sustainable brands", ["zero waste", "eco products", "upcycling"]),
}
# platform: (popularity, engagement factor, views per follower range)
PLATFORMS = {
    "instagram": (45, 1.0, (0.1, 0.5)),
    "tiktok": (25, 1.5, (0.2, 1.5)),
    "youtube": (20, 0.8, (0.05, 0.4)),
    "facebook": (5, 0.5, (0.02, 0.2)),
    "twitter": (5, 0.4, (0.02, 0.15)),
}
CONTENT_TYPE_PRICE = {"story": 0.4, "post": 0.6, "feed_post": 0.8, "carousel": 0.9, "reel": 1.0, "short": 0.8,
                      "video": 1.5, "live": 1.2}
CONTENT_TYPE_WORDS = {"story": "Story", "post": "Post", "feed_post": "Feed post", "carousel": "Carousel",
                      "reel": "Reel", "short": "Short", "video": "Video", "live": "Live stream"}
ACCOUNTS_PER_CREATOR = ([1, 2, 3, 4], [40, 35, 18, 7])
REVIEW_TEXTS = ["Great to work with, delivered on time.", "Creative ideas and a very engaged audience.",
                "Good content, a little late on the second revision.", "Professional and easy to brief.",
                "Our campaign beat its targets thanks to this creator.", "Decent results, communication could be better."]


def _cum(weights):
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _ts(moment: datetime, *, postgres: bool):
    return moment.strftime("%Y-%m-%d %H:%M:%S+00") if postgres else moment


class Generator:
    """Rows for a block of creators, as tuples in each table's column order (see COLUMNS)."""

    def __init__(self, seed: int, snapshot_fraction: float, postgres: bool):
        self.rnd = random.Random(seed)
        self.snapshot_fraction = snapshot_fraction
        self.postgres = postgres
        self.now = datetime.now(dt_timezone.utc).replace(microsecond=0)
        self.today = self.now.date()
        self.now_s = _ts(self.now, postgres=postgres)
        self.countries = list(COUNTRIES)
        self.country_cum = _cum(COUNTRIES[code][0] for code in self.countries)
        self.categories = [code for code in CATEGORY_WEIGHTS if code in CONTENT_CATEGORIES]
        self.category_cum = _cum(CATEGORY_WEIGHTS[code] for code in self.categories)
        self.platforms = list(PLATFORMS)
        self.platform_weights = [PLATFORMS[name][0] for name in self.platforms]
        self.json = json.dumps if postgres else (lambda value: value)
        self.onboarding_state = self.json({"personal": "completed", "categories": "completed",
                                           "social": "completed", "rates": "completed"})
        self.empty_object = self.json({})
        self.first_of_run = True
        unknown = {lang for spec in COUNTRIES.values() for lang in spec[2]} - set(CONTENT_LANGUAGES)
        assert not unknown, f"languages missing from CONTENT_LANGUAGES: {unknown}"

    def block(self, user_ids, account_ids_for):
        """All rows for creators with the given ids; account_ids_for(n) hands out n SocialAccount ids."""
        rnd = self.rnd
        users, profiles, accounts, packages, snapshots, reviews = [], [], [], [], [], []
        pending_accounts = []
        for uid in user_ids:
            if self.first_of_run:
                first, last = "Sarah", "Johnson"  # a known name, so the typo benchmark always has a target
                self.first_of_run = False
            else:
                first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            name = f"{first} {last}"
            joined = self.now - timedelta(seconds=rnd.randrange(730 * 86400))
            joined_s = _ts(joined, postgres=self.postgres)
            users.append((
                SHARED_PASSWORD, False, joined_s, joined_s, f"{EMAIL_PREFIX}{uid}{EMAIL_DOMAIN}", name, first, last,
                "creator", "active", False, "offline", "UTC", "en", True, False, True, "", self.onboarding_state,
                False, "", "", "email", True, self.empty_object, uid,
            ))

            country = rnd.choices(self.countries, cum_weights=self.country_cum)[0]
            _, cities, local_languages, english_too = COUNTRIES[country]
            languages = [rnd.choice(local_languages)]
            if languages[0] != "en" and rnd.random() < english_too:
                languages.append("en")
            n_categories = rnd.choices((1, 2, 3), (50, 35, 15))[0]
            categories = []
            while len(categories) < n_categories:
                category = rnd.choices(self.categories, cum_weights=self.category_cum)[0]
                if category not in categories:
                    categories.append(category)
            phrase, niche_pool = CATEGORY_TEXT[categories[0]]
            niches = rnd.sample(niche_pool, rnd.choices((0, 1, 2, 3), (20, 40, 30, 10))[0])
            city = rnd.choice(cities)
            bio_parts = [phrase + "."]
            if niches:
                bio_parts.append("Mostly " + " and ".join(niches) + ".")
            if len(categories) > 1:
                bio_parts.append("Also " + ", ".join(CONTENT_CATEGORIES[c].lower() for c in categories[1:]) + ".")
            bio_parts.append(f"Based in {city}.")

            # reach: one log-normal draw per creator; other accounts scatter around it
            base = min(300_000_000, max(100, int(math.exp(rnd.gauss(8.7, 1.9)))))
            n_accounts = rnd.choices(*ACCOUNTS_PER_CREATOR)[0]
            platforms = []
            while len(platforms) < n_accounts:
                platform = rnd.choices(self.platforms, self.platform_weights)[0]
                if platform not in platforms:
                    platforms.append(platform)
            handle = f"{first}{last}".lower() + (str(rnd.randrange(100)) if rnd.random() < 0.6 else "")
            creator_accounts = []
            for index, platform in enumerate(platforms):
                followers = base if index == 0 else max(50, int(base * math.exp(rnd.gauss(-0.7, 0.9))))
                _, factor, (views_lo, views_hi) = PLATFORMS[platform]
                engagement = min(60.0, 25 * followers ** -0.2 * factor * math.exp(rnd.gauss(0, 0.35)))
                likes = int(followers * engagement / 100 * 0.95)
                comments = int(likes * rnd.uniform(0.01, 0.05))
                views = int(followers * rnd.uniform(views_lo, views_hi))
                oauth = rnd.random() < 0.25
                creator_accounts.append((platform, followers, engagement, likes, comments, views, oauth))
            pending_accounts.append((uid, name, handle, joined_s, creator_accounts))

            # packages: priced from the primary account's reach
            prices = []
            top_platform, top_followers = platforms[0], base
            for index in range(rnd.choices((1, 2, 3), (40, 40, 20))[0]):
                platform = top_platform if index == 0 else rnd.choice(platforms)
                content_type = rnd.choice(PLATFORM_CONTENT_TYPES[platform])
                followers = top_followers if platform == top_platform else base // 2 + 50
                price = max(25, round(followers / 1000 * 8 * CONTENT_TYPE_PRICE[content_type]
                                      * math.exp(rnd.gauss(0, 0.45)) / 5) * 5)
                prices.append(price)
                packages.append(self._package(uid, platform, content_type, price, True, joined_s))
            if rnd.random() < 0.1:
                platform = rnd.choice(platforms)
                content_type = rnd.choice(PLATFORM_CONTENT_TYPES[platform])
                packages.append(self._package(uid, platform, content_type, max(prices) + 50, False, joined_s))

            rating = Decimal("0")
            n_reviews = 0
            if rnd.random() < 0.08:
                n_reviews = rnd.choices((1, 2, 3, 4, 5), (35, 25, 18, 12, 10))[0]
                stars = [rnd.choices((5, 4, 3, 2, 1), (55, 30, 9, 4, 2))[0] for _ in range(n_reviews)]
                rating = (Decimal(sum(stars)) / n_reviews).quantize(Decimal("0.01"))
                for star in stars:
                    reviews.append((joined_s, joined_s, star, rnd.choice(REVIEW_TEXTS), "Sponsored post",
                                    f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}", "", False, True, "", uid))

            availability = rnd.choices(("available", "busy", "unavailable"), (80, 15, 5))[0]
            birth = date(1975, 1, 1) + timedelta(days=rnd.randrange(365 * 30))
            profiles.append((
                joined_s, joined_s, country, "", city, "", f"{first}-{last}-{uid}".lower(), name, " ".join(bio_parts),
                rnd.choice(("female", "male", "female", "male", "non_binary", "prefer_not_to_say")), birth,
                self.json(categories), self.json(niches), self.json(languages), self.json([]),
                Decimal(min(prices)), Decimal(max(prices)), "USD", availability, rnd.random() < 0.05, False,
                rating, n_reviews + rnd.randrange(3), uid,
            ))

        ids = iter(account_ids_for(sum(len(item[4]) for item in pending_accounts)))
        for uid, name, handle, joined_s, creator_accounts in pending_accounts:
            for platform, followers, engagement, likes, comments, views, oauth in creator_accounts:
                account_id = next(ids)
                accounts.append((
                    account_id, joined_s, joined_s, platform, "oauth" if oauth else "self_reported",
                    "connected" if oauth else "self_reported", f"seed{account_id}" if oauth else "", handle, name,
                    "", "", "", "", None, "", followers, rnd.randrange(50, 2000), rnd.randrange(20, 3000), views,
                    likes, comments, Decimal(f"{engagement:.4f}"), "idle", self.now_s if oauth else None, "", uid,
                ))
                if rnd.random() < self.snapshot_fraction:
                    snapshots.extend(self._snapshots(account_id, followers, engagement, likes, comments, views))
        return {"users": users, "profiles": profiles, "accounts": accounts, "packages": packages,
                "snapshots": snapshots, "reviews": reviews}

    def _package(self, uid, platform, content_type, price, active, joined_s):
        rnd = self.rnd
        label = CONTENT_TYPE_WORDS[content_type]
        quantity = rnd.choices((1, 2, 3), (70, 20, 10))[0]
        title = f"{quantity} {Platform(platform).label} {label.lower()}{'s' if quantity > 1 else ''}"
        return (joined_s, joined_s, title, platform, content_type, quantity, rnd.randrange(0, 4),
                rnd.choice((3, 5, 7, 10, 14)), Decimal(price), "USD", "", active, uid)

    def _snapshots(self, account_id, followers, engagement, likes, comments, views):
        """30 days ending today, walking back from today's numbers; ~5% of histories carry a one-day spike."""
        rnd = self.rnd
        growth = rnd.gauss(0.002, 0.002)
        spike_day = rnd.randrange(1, SNAPSHOT_DAYS) if rnd.random() < 0.05 else None
        rows, current = [], float(followers)
        for back in range(SNAPSHOT_DAYS):
            day = self.today - timedelta(days=back)
            count = int(current)
            rows.append((day, count, 0, 0, views, likes, comments,
                         Decimal(f"{max(0.0, engagement * math.exp(rnd.gauss(0, 0.05))):.4f}"), account_id))
            current = current / (1 + growth)
            if spike_day is not None and back == spike_day:
                current = current / 1.25  # the day before the spike had 20% fewer followers
        return rows


# table, model, columns (id last for users, first for accounts; others take the table's identity default)
COLUMNS = {
    "users": (User, ["password", "is_superuser", "created_at", "updated_at", "email", "name", "first_name",
                     "last_name", "user_type", "status", "is_staff", "agent_status", "timezone", "language",
                     "email_verified", "phone_verified", "onboarding_completed", "onboarding_step",
                     "onboarding_state", "is_online", "avatar", "cover_image", "auth_provider", "profile_public",
                     "notification_preferences", "id"]),
    "profiles": (CreatorProfile, ["created_at", "updated_at", "country", "state", "city", "pincode", "slug",
                                  "display_name", "bio", "gender", "date_of_birth", "content_categories", "niches",
                                  "languages", "content_types", "min_rate", "max_rate", "currency",
                                  "availability", "verified", "featured", "rating", "total_collaborations",
                                  "user_id"]),
    "accounts": (SocialAccount, ["id", "created_at", "updated_at", "platform", "source", "state",
                                 "platform_user_id", "username", "display_name", "profile_url", "avatar_url",
                                 "access_token", "refresh_token", "token_expires_at", "scopes", "followers",
                                 "following", "posts", "avg_views", "avg_likes", "avg_comments", "engagement_rate",
                                 "sync_status", "last_synced_at", "last_sync_error", "creator_id"]),
    "packages": (Package, ["created_at", "updated_at", "title", "platform", "content_type", "quantity",
                           "revisions", "duration_days", "price", "currency", "description", "is_active",
                           "creator_id"]),
    "snapshots": (MetricsSnapshot, ["date", "followers", "following", "posts", "avg_views", "avg_likes",
                                    "avg_comments", "engagement_rate", "account_id"]),
    "reviews": (Review, ["created_at", "updated_at", "rating", "text", "project_type", "client_name",
                         "client_email", "is_verified", "is_published", "hidden_reason", "creator_id"]),
}


def _accepted(function, **keywords):
    """The keywords `function` takes (the card services' optional progress/scores switches)."""
    parameters = inspect.signature(function).parameters
    return {name: value for name, value in keywords.items() if name in parameters}


class _Later:
    """The Future interface for the single-threaded path: the block is made when asked for, after the
    previous block was written (SQLite ids come from MAX(id))."""

    def __init__(self, make):
        self.make = make

    def result(self):
        return self.make()


WRITE_ORDER = ["users", "profiles", "accounts", "packages", "snapshots", "reviews"]


class Command(BaseCommand):
    help = "Generate many realistic creators (bulk, fast) for discovery benchmarks; then build discovery cards."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many creators to create")
        parser.add_argument("--seed", type=int, default=4, help="Random seed (same seed, same data)")
        parser.add_argument("--batch", type=int, default=5000, help="Creators per transaction")
        parser.add_argument("--append", action="store_true", help="Add to creators seeded by an earlier run")
        parser.add_argument("--snapshot-fraction", type=float, default=0.02,
                            help="Share of social accounts that get 30 days of MetricsSnapshot rows")
        parser.add_argument("--skip-cards", action="store_true", help="Do not build discovery cards")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when seeded creators exist (make run seeds on every start)")

    def handle(self, *args, count, seed, batch, append, snapshot_fraction, skip_cards, if_empty, **options):
        if count < 1 or batch < 1:
            raise CommandError("--count and --batch must be positive")
        if not 0 <= snapshot_fraction <= 1:
            raise CommandError("--snapshot-fraction must be between 0 and 1")
        already_seeded = User.objects.filter(email__startswith=EMAIL_PREFIX).exists()
        if already_seeded and if_empty:
            self.stdout.write("Seeded creators already exist; nothing to do.")
            return
        if already_seeded and not append:
            raise CommandError("This database already holds seeded creators; pass --append to add more.")
        postgres = connection.vendor == "postgresql"
        generator = Generator(seed, snapshot_fraction, postgres)
        totals = dict.fromkeys(WRITE_ORDER, 0)
        started = time.monotonic()
        done = 0
        self.stdout.write(f"Seeding {count:,} creators into {connection.vendor} in batches of {batch:,}")
        sizes = [min(batch, count - start) for start in range(0, count, batch)]
        # PostgreSQL: the next block is generated in a worker thread while this one is copied (the server
        # does its part in its own process); SQLite writes block by block on one connection.
        with ThreadPoolExecutor(max_workers=1) as worker:
            make = (lambda size: worker.submit(self._block, generator, size, postgres)) if postgres else (
                lambda size: _Later(lambda: self._block(generator, size, postgres)))
            pending = make(sizes[0])
            for index, size in enumerate(sizes):
                rows = pending.result()
                if index + 1 < len(sizes):
                    pending = make(sizes[index + 1])
                with transaction.atomic():
                    for table in WRITE_ORDER:
                        self._write(table, rows[table], postgres)
                        totals[table] += len(rows[table])
                done += size
                elapsed = time.monotonic() - started
                all_rows = sum(totals.values())
                eta = elapsed / done * (count - done)
                self.stdout.write(f"  {done:>9,}/{count:,} creators  {all_rows:>10,} rows  "
                                  f"{all_rows / elapsed:>9,.0f} rows/s  {done / elapsed:>7,.0f} creators/s  "
                                  f"elapsed {elapsed:6.0f}s  ETA {eta:6.0f}s")
                self.stdout.flush()
            if postgres:
                worker.submit(lambda: connection.close()).result()  # the worker thread's own connection
        seconds = time.monotonic() - started
        self.stdout.write("Rows written: " + ", ".join(f"{table} {n:,}" for table, n in totals.items())
                          + f" in {seconds:.1f}s")
        if not skip_cards:
            self._build_cards()
        step = time.monotonic()
        done_how = self._vacuum_analyze(postgres)
        self.stdout.write(f"{done_how} in {time.monotonic() - step:.1f}s")
        if not skip_cards:
            step = time.monotonic()
            counted = facet_summary_refresh().total
            self.stdout.write(f"Facet summary: {counted:,} listed creators counted in {time.monotonic() - step:.1f}s")
        self.stdout.write(f"Total {time.monotonic() - started:.1f}s")

    def _vacuum_analyze(self, postgres):
        """PostgreSQL: VACUUM (ANALYZE) the tables just filled, so queries see the steady state autovacuum gives
        production (visibility map set: index-only scans skip the heap; hint bits set: no first-read writes)
        instead of freshly COPYed pages; then ANALYZE the rest. VACUUM cannot run inside a transaction, so
        inside one (a test) only ANALYZE runs."""
        with connection.cursor() as cursor:
            if not postgres or connection.in_atomic_block:
                cursor.execute("ANALYZE")
                return "ANALYZE"
            tables = [COLUMNS[table][0]._meta.db_table for table in WRITE_ORDER]
            tables += [CreatorCard._meta.db_table, EngagementBenchmark._meta.db_table]
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(f'"{table}"' for table in tables))
            cursor.execute("ANALYZE")
        return "VACUUM (ANALYZE) " + ", ".join(tables)

    def _block(self, generator, size, postgres):
        user_ids = self._ids("users", size, postgres)
        return generator.block(user_ids, lambda n: self._ids("accounts", n, postgres))

    def _ids(self, table, n, postgres):
        model = COLUMNS[table][0]
        db_table = model._meta.db_table
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [db_table, n])
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{db_table}"')
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))

    def _write(self, table, rows, postgres):
        if not rows:
            return
        model, columns = COLUMNS[table]
        if postgres:
            column_sql = ", ".join(f'"{column}"' for column in columns)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({column_sql}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        attnames = [self._attname(model, column) for column in columns]
        objects = [model(**dict(zip(attnames, row))) for row in rows]
        model.objects.bulk_create(objects, batch_size=500)

    @staticmethod
    def _attname(model, column):
        return next(field.attname for field in model._meta.concrete_fields if field.column == column)

    def _build_cards(self):
        try:
            from brands.services.cards import cards_rebuild_all, discovery_scores_rebuild
        except ImportError:
            self.stdout.write(self.style.WARNING(
                "brands.services.cards is not available yet: discovery cards were NOT built"))
            return
        started = timezone.now()
        step = time.monotonic()
        progress = lambda message: self.stdout.write(f"  {message}")  # noqa: E731
        built = cards_rebuild_all(**_accepted(cards_rebuild_all, scores=False, progress=progress))
        self.stdout.write(f"Discovery cards: {built:,} in {time.monotonic() - step:.1f}s")
        if EngagementBenchmark.objects.filter(computed_at__gte=started).exists():
            # a first build into an empty card table computes benchmarks and scores itself
            self.stdout.write("Discovery scores: computed by the first build")
            return
        step = time.monotonic()
        discovery_scores_rebuild(**_accepted(discovery_scores_rebuild, progress=progress))
        self.stdout.write(f"Discovery scores in {time.monotonic() - step:.1f}s")
