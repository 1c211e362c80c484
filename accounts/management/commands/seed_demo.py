"""Demo accounts for `make run`: an admin, a support agent, four brands and eight creators.

Idempotent: an account that exists is left as it is (its password, profile and status included),
so running the command again, or on every `make run`, creates and changes nothing. Accounts are
made through `accounts.services`, and each profile by answering the onboarding steps through the
same serializers and service the app uses, so the demo data obeys the app's vocabularies.

Staff need TOTP to open /admin/, so the demo admin and agent share one fixed, documented secret.

Orders (the section at the end): the demo creators' packages, then orders in every state between the demo
brands and creators, a custom offer and a filled cart, all made through the orders services and paid through
payments with the sandbox gateway (its confirmation event, as the TEST MODE page sends it). Packages a creator
already has (by title) are kept; each demo order is made once (found again by its brand, creator and brief, and
then left as it is), the cart is filled only in the run that makes orders, and a scenario whose brand or creator
cannot trade (a suspended account, say) is skipped and reported.

Chat (after the orders): the paid demo orders' conversations, a few direct ones a brand started from a creator's
page, messages back and forth (one with an image), a custom offer sent in a chat and read positions that leave
some unread, all through the chat services. Every demo message carries its own client_id, so a second run finds
it stored and sends nothing again.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.urls import get_resolver
from django.utils import timezone

from accounts import services
from accounts.api.serializers import STEP_SERIALIZERS
from accounts.models import CreatorProfile, User
from brands.services.cards import discovery_scores_rebuild
from creators.models import Package
from creators.services.packages import package_create
from influmojo.errors import ApplicationError
from influmojo.permissions import Actor
from orders.models import Order
from orders.selectors.cart import cart_get
from orders.services import cart as cart_services
from orders.services import checkout as checkout_services
from orders.services import disputes as dispute_services
from orders.services import offers as offer_services
from orders.services import orders as order_services
from payments.gateways.sandbox import DEFAULT_CARD, TEST_CARDS, SandboxGateway
from payments.services.events import webhook_event_process

DEMO_PASSWORD = "Influmojo-demo-2026"
# Base32, so any authenticator app accepts it. Demo only: never a production staff account.
DEMO_TOTP_SECRET = "INFLUMOJODEMOADMINTOTPSECRET2345"

STAFF = [
    {"email": "admin@influmojo.local", "name": "Ada Admin", "user_type": User.UserType.ADMIN},
    {"email": "agent@influmojo.local", "name": "Sam Support", "user_type": User.UserType.AGENT},
]

BRANDS = [
    {
        "email": "techflow@influmojo.local",
        "name": "Priya Raman",
        "verified": True,
        "steps": {
            "company": {
                "company_name": "TechFlow Inc",
                "industry": "technology",
                "industries": ["technology", "consumer_electronics"],
                "role_in_organization": "Head of Marketing",
                "business_type": "b2b",
                "company_size": "51-200",
                "website": "https://techflow.example",
                "description": "Workflow automation for remote teams. We launch two product lines a year and "
                "want creators who can explain software clearly to busy professionals.",
                "country": "US",
                "state": "California",
                "city": "San Francisco",
            },
            "goals": {"marketing_goals": ["brand_awareness", "product_launch", "app_installs"]},
            "preferences": {
                "budget_min": "5000",
                "budget_max": "50000",
                "currency": "USD",
                "target_audience": {"countries": ["US", "GB", "CA"], "languages": ["en"], "age_min": 22, "age_max": 45},
                "preferences": {
                    "platforms": ["youtube", "twitter"],
                    "content_types": ["youtube_video", "product_review"],
                },
            },
        },
    },
    {
        "email": "glowup@influmojo.local",
        "name": "Hannah Lee",
        "verified": True,
        "steps": {
            "company": {
                "company_name": "GlowUp Beauty",
                "industry": "beauty",
                "industries": ["beauty", "health_wellness"],
                "role_in_organization": "Influencer Partnerships Lead",
                "business_type": "d2c",
                "company_size": "11-50",
                "website": "https://glowup.example",
                "description": "Clean, vegan skincare made in small batches. Every launch is built around "
                "honest routines from creators our customers already trust.",
                "country": "GB",
                "state": "England",
                "city": "London",
            },
            "goals": {"marketing_goals": ["sales", "brand_awareness", "content_creation"]},
            "preferences": {
                "budget_min": "3000",
                "budget_max": "25000",
                "currency": "USD",
                "target_audience": {"countries": ["GB", "US", "IE"], "languages": ["en"], "age_min": 18, "age_max": 34},
                "preferences": {
                    "platforms": ["instagram", "tiktok"],
                    "content_types": ["instagram_reel", "instagram_story", "tiktok_video"],
                },
            },
        },
    },
    {
        "email": "fitlife@influmojo.local",
        "name": "Marcus Reed",
        "verified": False,
        "steps": {
            "company": {
                "company_name": "FitLife Nutrition",
                "industry": "fitness",
                "industries": ["fitness", "food_beverage", "health_wellness"],
                "role_in_organization": "Brand Manager",
                "business_type": "d2c",
                "company_size": "51-200",
                "website": "https://fitlife.example",
                "description": "Protein and recovery products for people who train at home. We look for "
                "creators who show real workouts, not just the product shot.",
                "country": "US",
                "state": "Texas",
                "city": "Austin",
            },
            "goals": {"marketing_goals": ["sales", "engagement"]},
            "preferences": {
                "budget_min": "2000",
                "budget_max": "20000",
                "currency": "USD",
                "target_audience": {"countries": ["US", "CA"], "languages": ["en"], "age_min": 20, "age_max": 40},
                "preferences": {
                    "platforms": ["instagram", "youtube"],
                    "content_types": ["instagram_reel", "youtube_video", "ugc_video"],
                },
            },
        },
    },
    {
        "email": "wanderlust@influmojo.local",
        "name": "Sofia Rossi",
        "verified": False,
        "steps": {
            "company": {
                "company_name": "Wanderlust Travel Co",
                "industry": "travel_hospitality",
                "industries": ["travel_hospitality"],
                "role_in_organization": "Marketing Director",
                "business_type": "b2c",
                "company_size": "201-1000",
                "website": "https://wanderlust.example",
                "description": "Small-group trips across Southern Europe and Southeast Asia. We partner with "
                "storytellers who travel slowly and show the places beyond the postcard.",
                "country": "ES",
                "state": "Catalonia",
                "city": "Barcelona",
            },
            "goals": {"marketing_goals": ["brand_awareness", "lead_generation"]},
            "preferences": {
                "budget_min": "4000",
                "budget_max": "30000",
                "currency": "USD",
                "target_audience": {
                    "countries": ["US", "GB", "ES", "AU"],
                    "languages": ["en", "es"],
                    "age_min": 25,
                    "age_max": 55,
                },
                "preferences": {
                    "platforms": ["instagram", "youtube"],
                    "content_types": ["instagram_reel", "instagram_post", "youtube_video"],
                },
            },
        },
    },
]


def _creator(
    *,
    email: str,
    name: str,
    display_name: str,
    slug: str,
    verified: bool,
    personal: dict,
    categories: list[str],
    niches: list[str],
    handles: list[tuple[str, str, int]],
    content_types: list[str],
    rates: tuple[str, str],
    availability: str,
) -> dict:
    """One demo creator as the answers to the four onboarding steps (plus the public-page slug).

    `handles` are (platform, handle, followers): the "social" step saves them as self-reported
    (unverified) social accounts, as it does for every creator.
    """
    return {
        "email": email,
        "name": name,
        "slug": slug,
        "verified": verified,
        "steps": {
            "personal": {"display_name": display_name, **personal},
            "categories": {"content_categories": categories, "niches": niches},
            "social": {
                "social_handles": [
                    {"platform": platform, "handle": handle, "followers": followers}
                    for platform, handle, followers in handles
                ]
            },
            "rates": {
                "content_types": content_types,
                "min_rate": rates[0],
                "max_rate": rates[1],
                "currency": "USD",
                "availability": availability,
            },
        },
    }


AVAILABLE, BUSY, UNAVAILABLE = (choice.value for choice in CreatorProfile.Availability)

CREATORS = [
    _creator(
        email="sarah@influmojo.local",
        name="Sarah Johnson",
        display_name="Sarah Johnson",
        slug="sarah-johnson",
        verified=True,
        personal={
            "bio": "Lifestyle and fashion from Los Angeles: everyday outfits, slow mornings and honest "
            "reviews of the things I actually keep using.",
            "gender": "female",
            "country": "US",
            "state": "California",
            "city": "Los Angeles",
            "pincode": "90026",
            "date_of_birth": "1995-04-12",
            "languages": ["en"],
        },
        categories=["lifestyle", "fashion"],
        niches=["outfit ideas", "sustainable fashion", "morning routines"],
        handles=[
            ("instagram", "sarahjohnson", 245_000),
            ("tiktok", "sarahjstyle", 182_000),
            ("youtube", "SarahJohnson", 52_000),
        ],
        content_types=["instagram_reel", "instagram_post", "instagram_story", "tiktok_video"],
        rates=("800", "4500"),
        availability=AVAILABLE,
    ),
    _creator(
        email="mike@influmojo.local",
        name="Mike Chen",
        display_name="Tech Mike",
        slug="tech-mike",
        verified=True,
        personal={
            "bio": "In-depth reviews of phones, laptops and smart-home gear. I test everything for two "
            "weeks before I say a word about it.",
            "gender": "male",
            "country": "US",
            "state": "Washington",
            "city": "Seattle",
            "pincode": "98101",
            "date_of_birth": "1990-09-03",
            "languages": ["en"],
        },
        categories=["technology"],
        niches=["smartphone reviews", "laptops", "smart home"],
        handles=[
            ("youtube", "TechMike", 1_200_000),
            ("instagram", "techmike", 310_000),
            ("twitter", "techmike", 95_000),
        ],
        content_types=["youtube_video", "youtube_short", "product_review", "live_stream"],
        rates=("2500", "15000"),
        availability=BUSY,
    ),
    _creator(
        email="emma@influmojo.local",
        name="Emma Wilson",
        display_name="Beauty by Emma",
        slug="beauty-by-emma",
        verified=True,
        personal={
            "bio": "Skincare routines and makeup tutorials for sensitive skin, filmed in natural light "
            "with no filters.",
            "gender": "female",
            "country": "GB",
            "state": "England",
            "city": "London",
            "pincode": "SW1A 1AA",
            "date_of_birth": "1997-01-22",
            "languages": ["en"],
        },
        categories=["beauty"],
        niches=["skincare", "makeup tutorials", "clean beauty"],
        handles=[
            ("instagram", "beautybyemma", 520_000),
            ("tiktok", "beautybyemma", 430_000),
            ("youtube", "BeautyByEmma", 210_000),
        ],
        content_types=["instagram_reel", "instagram_story", "youtube_video", "tiktok_video"],
        rates=("1500", "9000"),
        availability=AVAILABLE,
    ),
    _creator(
        email="carlos@influmojo.local",
        name="Carlos Martinez",
        display_name="Chef Carlos",
        slug="chef-carlos",
        verified=False,
        personal={
            "bio": "Mexican home cooking in under thirty minutes, plus the street food of Mexico City "
            "and the people who make it.",
            "gender": "male",
            "country": "MX",
            "state": "Ciudad de México",
            "city": "Mexico City",
            "pincode": "06700",
            "date_of_birth": "1988-06-30",
            "languages": ["es", "en"],
        },
        categories=["food"],
        niches=["mexican cuisine", "quick recipes", "street food"],
        handles=[
            ("tiktok", "chefcarlos", 610_000),
            ("instagram", "chef.carlos", 340_000),
            ("youtube", "ChefCarlos", 150_000),
        ],
        content_types=["tiktok_video", "instagram_reel", "youtube_video"],
        rates=("900", "5000"),
        availability=AVAILABLE,
    ),
    _creator(
        email="lisa@influmojo.local",
        name="Lisa Park",
        display_name="Travel with Lisa",
        slug="travel-with-lisa",
        verified=False,
        personal={
            "bio": "Solo travel on a budget: honest itineraries, where to stay and what to skip, mostly "
            "across Southeast Asia and Southern Europe.",
            "gender": "female",
            "country": "AU",
            "state": "New South Wales",
            "city": "Sydney",
            "pincode": "2000",
            "date_of_birth": "1993-11-08",
            "languages": ["en", "ko"],
        },
        categories=["travel"],
        niches=["budget travel", "solo female travel", "southeast asia"],
        handles=[("instagram", "travelwithlisa", 410_000), ("youtube", "TravelWithLisa", 190_000)],
        content_types=["instagram_reel", "instagram_post", "youtube_video", "blog_post"],
        rates=("1200", "7000"),
        availability=AVAILABLE,
    ),
    _creator(
        email="maven@influmojo.local",
        name="Olivia Brooks",
        display_name="Style Maven",
        slug="style-maven",
        verified=False,
        personal={
            "bio": "New York street style, capsule wardrobes and the occasional luxury splurge that is "
            "actually worth it.",
            "gender": "female",
            "country": "US",
            "state": "New York",
            "city": "New York",
            "pincode": "10012",
            "date_of_birth": "1992-02-14",
            "languages": ["en"],
        },
        categories=["fashion"],
        niches=["street style", "capsule wardrobe", "luxury fashion"],
        handles=[
            ("instagram", "stylemaven", 780_000),
            ("tiktok", "stylemaven", 260_000),
            ("facebook", "stylemaven", 120_000),
        ],
        content_types=["instagram_post", "instagram_reel", "instagram_story"],
        rates=("2000", "12000"),
        availability=UNAVAILABLE,
    ),
    _creator(
        email="jay@influmojo.local",
        name="Jay Patel",
        display_name="Fitness with Jay",
        slug="fitness-with-jay",
        verified=False,
        personal={
            "bio": "Home workouts and strength training that fit around a day job, with simple "
            "vegetarian meal prep.",
            "gender": "male",
            "country": "IN",
            "state": "Maharashtra",
            "city": "Mumbai",
            "pincode": "400050",
            "date_of_birth": "1994-08-19",
            "languages": ["en", "hi"],
        },
        categories=["fitness", "health"],
        niches=["home workouts", "strength training", "meal prep"],
        handles=[("youtube", "FitnessWithJay", 640_000), ("instagram", "fitnesswithjay", 450_000)],
        content_types=["youtube_video", "instagram_reel", "live_stream"],
        rates=("700", "4000"),
        availability=AVAILABLE,
    ),
    _creator(
        email="zed@influmojo.local",
        name="Zed Okafor",
        display_name="Gamer Zed",
        slug="gamer-zed",
        verified=False,
        personal={
            "bio": "Competitive shooters, indie gems and esports commentary, streaming most weeknights "
            "from Toronto.",
            "gender": "male",
            "country": "CA",
            "state": "Ontario",
            "city": "Toronto",
            "pincode": "M5V 2T6",
            "date_of_birth": "1999-05-27",
            "languages": ["en"],
        },
        categories=["gaming"],
        niches=["fps", "esports commentary", "indie games"],
        handles=[("youtube", "GamerZed", 520_000), ("tiktok", "gamerzed", 210_000), ("twitter", "gamerzed", 88_000)],
        content_types=["live_stream", "youtube_video", "youtube_short"],
        rates=("1000", "6000"),
        availability=AVAILABLE,
    ),
]


# --- Orders: packages, orders in every state, a custom offer, a cart -------------------------------------------
def _package(title, platform, content_type, price, days, revisions=1, quantity=1, description=""):
    return {"title": title, "platform": platform, "content_type": content_type, "price": price,
            "duration_days": days, "revisions": revisions, "quantity": quantity, "currency": "USD",
            "description": description}


PACKAGES = {
    "sarah@influmojo.local": [
        _package("1 Instagram reel", "instagram", "reel", "800", 7, 2,
                 description="A 30-60 s reel styled around your product, with one round of caption edits."),
        _package("3 Instagram stories", "instagram", "story", "450", 3, 1, 3,
                 description="Three stories on one day with a link sticker to your shop."),
        _package("TikTok outfit video", "tiktok", "video", "650", 5, 1),
    ],
    "mike@influmojo.local": [
        _package("Dedicated YouTube review", "youtube", "video", "6500", 21, 2,
                 description="An 8-12 minute review after two weeks of daily use; you see the script first."),
        _package("YouTube Short", "youtube", "short", "1800", 7, 1),
    ],
    "emma@influmojo.local": [
        _package("Skincare routine reel", "instagram", "reel", "1500", 10, 2,
                 description="Morning or evening routine featuring your product, filmed in natural light."),
        _package("Get ready with me video", "youtube", "video", "4200", 14, 2),
    ],
    "carlos@influmojo.local": [_package("Recipe TikTok", "tiktok", "video", "900", 5, 1)],
    "lisa@influmojo.local": [
        _package("Destination reel", "instagram", "reel", "1400", 14, 2),
        _package("Carousel travel guide", "instagram", "carousel", "1200", 7, 1, 8),
    ],
    "maven@influmojo.local": [_package("Street-style reel", "instagram", "reel", "2500", 7, 1)],
    "jay@influmojo.local": [
        _package("Workout video with your product", "youtube", "video", "2200", 14, 2),
        _package("Meal-prep reel", "instagram", "reel", "800", 7, 1),
    ],
    "zed@influmojo.local": [
        _package("Sponsored stream segment", "youtube", "live", "1500", 7, 0),
        _package("Gaming YouTube Short", "youtube", "short", "900", 5, 1),
    ],
}


@dataclass(frozen=True)
class OrderScenario:
    """One demo order: who buys which package, and the steps it goes through after checkout."""

    brand: str
    creator: str
    package: str
    steps: tuple[str, ...]  # pay, accept, deliver, revise, approve, review, cancel, dispute, offer
    brief: str
    quantity: int = 1
    usage_rights: str = "organic"
    attachment: bool = False


ORDER_SCENARIOS = [
    OrderScenario("glowup@influmojo.local", "emma@influmojo.local", "Skincare routine reel",
                  ("pay", "accept", "deliver", "approve", "review", "offer"),
                  "An evening routine with the Night Repair serum: show the texture, say it is vegan and "
                  "fragrance-free, and use the code GLOW15.", usage_rights="brand_channels", attachment=True),
    OrderScenario("glowup@influmojo.local", "sarah@influmojo.local", "1 Instagram reel", ("pay",),
                  "A get-ready reel with the SPF day cream as the last step. Natural light, no filters; "
                  "tag @glowupbeauty and mention the summer launch.", quantity=2),
    OrderScenario("glowup@influmojo.local", "emma@influmojo.local", "Get ready with me video", (),
                  "A get-ready-with-me video using three products from the summer kit."),
    OrderScenario("glowup@influmojo.local", "sarah@influmojo.local", "3 Instagram stories",
                  ("pay", "accept", "deliver", "dispute"),
                  "Three stories on launch day with the swipe-up link to the summer kit."),
    OrderScenario("techflow@influmojo.local", "mike@influmojo.local", "Dedicated YouTube review",
                  ("pay", "accept"),
                  "An honest review of FlowDesk after two weeks of daily use: setup, the automation builder "
                  "and the Slack integration. Include the link in the first line of the description.",
                  usage_rights="paid_30"),
    OrderScenario("techflow@influmojo.local", "zed@influmojo.local", "Sponsored stream segment", ("pay", "cancel"),
                  "A five-minute segment on how the team uses FlowDesk to plan tournaments."),
    OrderScenario("fitlife@influmojo.local", "jay@influmojo.local", "Workout video with your product",
                  ("pay", "accept", "deliver"),
                  "A 20-minute home workout with the recovery shake after it; show the label for a few "
                  "seconds and say what you like about it.", usage_rights="brand_channels"),
    OrderScenario("wanderlust@influmojo.local", "lisa@influmojo.local", "Destination reel",
                  ("pay", "accept", "deliver", "revise"),
                  "A reel from our Amalfi small-group trip: the boat day and the cooking class. Mention that "
                  "groups are at most 12 people."),
]
DEMO_CART = [("glowup@influmojo.local", "travel-with-lisa", "Carousel travel guide", 1),
             ("glowup@influmojo.local", "sarah-johnson", "TikTok outfit video", 2)]
# --- Chat: (brand, creator, order brief or None for a direct conversation, [(who, text)], who has read it all) ---
@dataclass(frozen=True)
class ChatScenario:
    key: str  # the demo messages' client ids start with it
    brand: str
    creator: str
    order_brief_starts: str = ""  # the order whose conversation it is; empty: a direct conversation
    lines: tuple[tuple[str, str], ...] = ()  # ("brand" | "creator" | "image" | "offer", text)
    read_by: tuple[str, ...] = ("brand", "creator")  # who has read everything at the end


CHAT_SCENARIOS = [
    ChatScenario("glowup-sarah-reel", "glowup@influmojo.local", "sarah@influmojo.local", "A get-ready reel", (
        ("brand", "Hi Sarah! So happy to have you on the summer launch. Any questions about the brief?"),
        ("creator", "Thank you! Just one: should the SPF cream be the very last step, after make-up?"),
        ("brand", "Yes please, last step, and say it works under make-up. Natural light if you can."),
        ("image", "Here is the set-up I am thinking of — window light, the cream on the shelf."),
        ("brand", "Love it. Go ahead!"),
        ("creator", "Filming on Thursday; you will have the first cut by Monday."),
    ), read_by=("creator",)),
    ChatScenario("glowup-emma-direct", "glowup@influmojo.local", "emma@influmojo.local", "", (
        ("brand", "Emma, the serum reel did wonders. Could you do an autumn routine for us as well?"),
        ("creator", "I would love to! Two reels a week apart and a few stories on launch day?"),
        ("brand", "Sounds right. Send me an offer and I will take it to the team."),
        ("offer", "Autumn routine: 2 reels + 3 stories"),
    ), read_by=("creator",)),
    ChatScenario("techflow-mike-review", "techflow@influmojo.local", "mike@influmojo.local", "An honest review", (
        ("creator", "Got the FlowDesk invite, thanks. Is the Slack integration live on my test workspace?"),
        ("brand", "It is now. Ping me here if the automation builder gives you any trouble."),
        ("creator", "Will do. Script draft coming next week."),
    )),
    ChatScenario("wanderlust-lisa-amalfi", "wanderlust@influmojo.local", "lisa@influmojo.local", "A reel from our", (
        ("creator", "Thanks for the notes! Opening on the boat day makes sense. New cut by Friday."),
        ("brand", "Perfect. And the “at most 12 people” line in the voice-over, please."),
    ), read_by=("brand",)),
    ChatScenario("glowup-maven-direct", "glowup@influmojo.local", "maven@influmojo.local", "", (
        ("brand", "Hi! We are planning an autumn street-style campaign with our new lip range. Interested?"),
    ), read_by=("brand",)),
]
CHAT_OFFER = {"title": "Autumn routine: 2 reels + 3 stories",
              "description": "Two routine reels a week apart and three stories on launch day, with the discount "
                             "code pinned. Usage on your channels for 90 days included.",
              "platform": "instagram", "content_type": "reel", "quantity": 2, "revisions": 2, "duration_days": 14,
              "price": "3400.00", "currency": "USD", "expires_in_days": 14}
DEMO_BRIEF = b"GlowUp Beauty brand guide\n\nTone: warm, honest, no before/after photos.\nCode: GLOW15\n"


def _demo_photo() -> SimpleUploadedFile:
    """A small generated picture (a window-lit shelf, roughly) for the chat's image message."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), "#f3e8ff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((380, 40, 600, 300), fill="#fffbeb", outline="#d6d3d1", width=6)  # the window
    draw.line((490, 40, 490, 300), fill="#d6d3d1", width=4)
    draw.rectangle((40, 300, 600, 320), fill="#a16207")  # the shelf
    draw.rounded_rectangle((120, 220, 180, 300), radius=10, fill="#db2777")  # the cream
    draw.rounded_rectangle((220, 190, 260, 300), radius=8, fill="#7c3aed")
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("set-up.jpg", buffer.getvalue(), content_type="image/jpeg")


def totp_code_command() -> str:
    """A shell line that prints the demo staff's current TOTP code."""
    return (
        '.venv/bin/python manage.py shell --no-imports -c "import time; '
        "from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value; "
        f"print(format_hotp_value(hotp_value('{DEMO_TOTP_SECRET}', int(time.time()) // 30)))\""
    )


class Command(BaseCommand):
    help = ("Creates the demo admin, agent, brands and creators, their packages and orders (idempotent) and "
            "prints their logins.")

    def handle(self, *args, **options):
        created = []
        staff = [self._account(spec, spec["user_type"], created) for spec in STAFF]
        admin_actor = Actor.of(staff[0])
        for spec in BRANDS:
            self._account(spec, User.UserType.BRAND, created, verifier=admin_actor)
        for spec in CREATORS:
            self._account(spec, User.UserType.CREATOR, created, verifier=admin_actor)
        for user in staff:
            self._ensure_totp(user)
        packages = self._seed_packages()
        orders = self._seed_orders()
        chats = self._seed_chats()
        discovery_scores_rebuild()  # benchmarks + audience quality for the demo creators (nightly otherwise)
        self.stdout.write(f"Packages: {packages} created. {orders} {chats}")
        self._report(created)

    @transaction.atomic
    def _account(self, spec: dict, user_type: str, created: list[str], verifier: Actor | None = None) -> User:
        user = User.objects.filter(email__iexact=spec["email"]).first()
        if user is not None:
            return user
        user = User(email=spec["email"], name=spec["name"], user_type=user_type)
        user.first_name, _, user.last_name = spec["name"].partition(" ")
        user.set_password(DEMO_PASSWORD)
        user = services.user_create(user=user, actor=Actor.system(), note="seed_demo")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        user = services.user_email_verified(user_id=user.pk)
        for step, answers in spec.get("steps", {}).items():
            user = self._answer(user, step, answers)
        if spec.get("slug"):
            self._claim_slug(user, spec["slug"])
        if spec.get("verified") and verifier is not None:
            services.user_verify(user_id=user.pk, actor=verifier, note="seed_demo")
        created.append(user.email)
        return user

    @staticmethod
    def _answer(user: User, step: str, answers: dict) -> User:
        """Answers one onboarding step the way the app does: the step's serializer, then the service."""
        serializer = STEP_SERIALIZERS[step](data=answers, context={"profile": services.profile_ensure(user=user)})
        if not serializer.is_valid():
            raise CommandError(f"demo data for {user.email}, step {step}: {serializer.errors}")
        return services.onboarding_save_step(user=user, step=step, data=serializer.validated_data)

    @staticmethod
    def _claim_slug(user: User, slug: str) -> None:
        """The public page address; keeps the one the service chose if another creator has the demo one."""
        if CreatorProfile.objects.filter(slug=slug).exclude(user=user).exists():
            return
        CreatorProfile.objects.filter(user=user).update(slug=slug)

    @staticmethod
    def _ensure_totp(user: User) -> None:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)

    # --- Orders ------------------------------------------------------------------------------------------------
    @staticmethod
    def _seed_packages() -> int:
        """Each demo creator's packages, through the package serializer and service; existing titles are kept."""
        get_resolver().url_patterns  # the API modules' routes use the project's <id:> converter: load urls first
        from creators.api.packages import PackageSerializer

        made = 0
        for email, specs in PACKAGES.items():
            creator = User.objects.filter(email__iexact=email, user_type=User.UserType.CREATOR).first()
            if creator is None:
                continue
            have = set(Package.objects.filter(creator=creator).values_list("title", flat=True))
            for spec in specs:
                if spec["title"] in have:
                    continue
                serializer = PackageSerializer(data=spec)
                if not serializer.is_valid():
                    raise CommandError(f"demo package {spec['title']!r}: {serializer.errors}")
                package_create(actor=Actor.of(creator), data=serializer.validated_data)
                made += 1
        return made

    def _seed_orders(self) -> str:
        """Orders in every state, each once (see the module's docstring). The e-mails they send are not printed."""
        done, kept, skipped = [], 0, []
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for scenario in ORDER_SCENARIOS:
                if Order.objects.filter(brand__email=scenario.brand, creator__email=scenario.creator,
                                        requirements=scenario.brief).exists():
                    kept += 1
                    continue
                try:
                    order = self._order(scenario)
                except ApplicationError as error:
                    skipped.append(f"{scenario.package} ({error.message})")
                else:
                    done.append(order.get_status_display())
            if done:  # the cart is filled with the orders, so a later run does not refill a cart checked out since
                skipped += self._fill_carts()
        report = f"Orders: {len(done)} created" + (f" ({', '.join(done)})" if done else "") + f", {kept} already there."
        return report + (f" Skipped: {'; '.join(skipped)}." if skipped else "")

    @staticmethod
    def _fill_carts() -> list[str]:
        skipped = []
        for email, slug, title, quantity in DEMO_CART:
            try:
                actor = Actor.of(User.objects.get(email=email))
                package = Package.objects.get(creator__creator_profile__slug=slug, title=title)
                if any(line.item.package_id == package.pk for line in cart_get(actor=actor).lines):
                    continue
                cart_services.cart_add_package(actor=actor, package_id=package.pk, quantity=quantity)
            except (ApplicationError, User.DoesNotExist, Package.DoesNotExist) as error:
                skipped.append(f"cart line {title} ({getattr(error, 'message', error)})")
        return skipped

    def _order(self, scenario: OrderScenario) -> Order:
        brand = User.objects.get(email=scenario.brand)
        creator = User.objects.get(email=scenario.creator)
        as_brand, as_creator = Actor.of(brand), Actor.of(creator)
        package = Package.objects.filter(creator=creator, title=scenario.package).first()
        if package is None:
            raise ApplicationError(f"{creator.email} has no package {scenario.package!r}", code="no_package")
        waiting = [line.item for line in cart_get(actor=as_brand).lines if line.item.package_id == package.pk]
        if waiting:  # left in the cart by an earlier run that stopped half-way
            item = cart_services.cart_item_update(item_id=waiting[0].pk, actor=as_brand, quantity=scenario.quantity)
        else:
            item = cart_services.cart_add_package(actor=as_brand, package_id=package.pk, quantity=scenario.quantity)
        attachments = [SimpleUploadedFile("brand-guide.txt", DEMO_BRIEF, "text/plain")] if scenario.attachment else []
        outcome = checkout_services.checkout(
            actor=as_brand, item_ids=[item.pk], requirements=scenario.brief, usage_rights=scenario.usage_rights,
            deadline=timezone.now() + datetime.timedelta(days=(package.duration_days or 1) + 14),
            attachments=attachments,
        )
        order = outcome.orders[0]
        for step in scenario.steps:
            if step == "pay":
                self._pay_in_sandbox(outcome.payment.pk)
            elif step == "accept":
                order_services.order_accept(order_id=order.pk, actor=as_creator)
            elif step == "deliver":
                order_services.order_deliver(
                    order_id=order.pk, actor=as_creator,
                    message="Here is the first cut. The caption and hashtags are in the doc; happy to adjust.",
                    links=[f"https://www.instagram.com/p/demo-{order.number.lower()}/",
                           f"https://drive.example.com/demo/{order.number.lower()}"])
            elif step == "revise":
                order_services.order_request_revision(
                    order_id=order.pk, actor=as_brand,
                    feedback="Lovely footage! Please open on the boat day rather than the hotel, and say "
                             "“at most 12 people” in the voice-over, not only in the caption.")
            elif step == "approve":
                order_services.order_approve(order_id=order.pk, actor=as_brand, note="Perfect, thank you!")
            elif step == "review":
                from orders.api.orders import OrderReviewSerializer

                review = OrderReviewSerializer(data={
                    "rating": 5, "project_type": "Serum launch reel",
                    "text": "Emma understood the brief straight away and delivered a day early. The reel "
                            "drove more saves than any of our launches so far."})
                review.is_valid(raise_exception=True)
                order_services.order_review(order_id=order.pk, actor=as_brand, data=review.validated_data)
            elif step == "cancel":
                order_services.order_cancel(order_id=order.pk, actor=as_brand,
                                            reason="Our tournament sponsorship moved to next season.")
            elif step == "dispute":
                dispute_services.order_dispute(
                    order_id=order.pk, actor=as_brand, reason="not_as_described",
                    description="The stories went out a day after the launch and without the swipe-up link "
                                "the brief asked for.")
            elif step == "offer":
                self._offer(as_creator, brand, order)
        order.refresh_from_db()
        return order

    @staticmethod
    def _pay_in_sandbox(payment_id: int) -> None:
        """The brand pays with the default test card: the sandbox's success event through payments' door."""
        from payments.models import Payment

        payment = Payment.objects.get(pk=payment_id)
        gateway = SandboxGateway()
        intent = gateway.payment_intent_object(payment=payment, card=TEST_CARDS[DEFAULT_CARD], status="succeeded")
        webhook_event_process(gateway="sandbox", event=gateway.event(
            event_id=f"evt_{payment.provider_payment_id}_succeeded", type="payment_intent.succeeded", obj=intent))

    @staticmethod
    def _offer(as_creator: Actor, brand: User, order: Order) -> None:
        from orders.api.offers import OfferCreateSerializer

        serializer = OfferCreateSerializer(data={
            "brand_id": brand.pk, "in_reply_to_order_id": order.pk, "title": "Autumn routine: 2 reels + 3 stories",
            "description": "Two routine reels a week apart and three stories on the launch day, with the "
                           "discount code pinned. Usage on your channels for 90 days included.",
            "platform": "instagram", "content_type": "reel", "quantity": 2, "revisions": 2, "duration_days": 14,
            "price": "3200.00", "currency": "USD", "expires_in_days": 10,
        })
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        offer_services.offer_create(actor=as_creator, brand_id=data.pop("brand_id"),
                                    in_reply_to_order_id=data.pop("in_reply_to_order_id"),
                                    expires_in_days=data.pop("expires_in_days"), data=data)

    # --- Chat ----------------------------------------------------------------------------------------------------
    def _seed_chats(self) -> str:
        """The paid demo orders' conversations and the demo chats (see the module's docstring), through chat's
        services; what is stored already (by client id) is not sent again. Their e-mails are not printed."""
        from chat.services import conversations as conversation_services

        sent, skipped = 0, []
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            demo = [spec["email"] for spec in BRANDS + CREATORS]
            for order_id in Order.objects.filter(paid_at__isnull=False, brand__email__in=demo,
                                                 creator__email__in=demo).values_list("pk", flat=True):
                conversation_services.conversation_open_for_order(order_id=order_id)
            for scenario in CHAT_SCENARIOS:
                try:
                    sent += self._chat(scenario)
                except (ApplicationError, User.DoesNotExist) as error:
                    skipped.append(f"{scenario.key} ({getattr(error, 'message', error)})")
        report = f"Chat: {sent} messages sent."
        return report + (f" Skipped: {'; '.join(skipped)}." if skipped else "")

    @staticmethod
    def _chat(scenario: ChatScenario) -> int:
        from chat.api.conversations import ChatOfferSerializer
        from chat.models import Message
        from chat.services import conversations as conversation_services
        from chat.services import messages as message_services

        people = {"brand": User.objects.get(email=scenario.brand), "creator": User.objects.get(email=scenario.creator)}
        if scenario.order_brief_starts:
            order = Order.objects.filter(brand=people["brand"], creator=people["creator"], paid_at__isnull=False,
                                         requirements__startswith=scenario.order_brief_starts).first()
            if order is None:
                raise ApplicationError("its order is not there (or not paid)", code="no_order")
            conversation = conversation_services.conversation_open_for_order(order_id=order.pk)
        else:
            conversation = conversation_services.conversation_open_direct(actor=Actor.of(people["brand"]),
                                                                          creator_id=people["creator"].pk)
        sent = 0
        for number, (who, text) in enumerate(scenario.lines, start=1):
            client_id = f"demo-{scenario.key}-{number}"
            if Message.objects.filter(conversation=conversation, client_id=client_id).exists():
                continue
            if who == "offer":
                serializer = ChatOfferSerializer(data={**CHAT_OFFER, "client_id": client_id})
                serializer.is_valid(raise_exception=True)
                data = dict(serializer.validated_data)
                message_services.message_offer_send(
                    conversation_id=conversation.pk, actor=Actor.of(people["creator"]), client_id=data.pop("client_id"),
                    expires_in_days=data.pop("expires_in_days"), data=data)
            else:
                files = [_demo_photo()] if who == "image" else []
                sender = people["creator" if who == "image" else who]
                message_services.message_send(conversation_id=conversation.pk, actor=Actor.of(sender), body=text,
                                              files=files, client_id=client_id)
            sent += 1
        last = Message.objects.filter(conversation=conversation).order_by("-id").values_list("pk", flat=True).first()
        for who in scenario.read_by:
            if last:
                message_services.conversation_mark_read(conversation_id=conversation.pk, actor=Actor.of(people[who]),
                                                        up_to_message_id=last)
        return sent

    def _report(self, created: list[str]) -> None:
        emails = [spec["email"] for spec in STAFF + BRANDS + CREATORS]
        found = User.objects.filter(email__in=emails).select_related("brand_profile", "creator_profile")
        users = {user.email: user for user in found}
        totp = {
            authenticator.user_id: decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
            for authenticator in Authenticator.objects.filter(user__in=users.values(), type=Authenticator.Type.TOTP)
        }
        rows = []
        for email in emails:
            user = users[email]
            notes = []
            if user.is_staff:
                notes.append("+ TOTP code" if totp.get(user.pk) else "+ its own TOTP (not the demo secret)")
            if user.is_brand:
                notes.append(user.brand_profile.company_name)
            if user.is_creator:
                notes.append(str(user.creator_profile))
            if user.status != User.Status.ACTIVE:
                notes.append(f"status: {user.status}")
            rows.append((user.user_type, email, DEMO_PASSWORD, "; ".join(notes)))

        self.stdout.write(
            f"\nDemo accounts: {len(created)} created, {len(emails) - len(created)} already there and left "
            "as they are (an account whose password was changed keeps it).\n"
        )
        header = ("role", "e-mail", "password", "")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, tuple("-" * w for w in widths) + ("",), *rows]:
            cells = (cell.ljust(width) for cell, width in zip(row, [*widths, 0], strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        label = quote(STAFF[0]["email"])
        self.stdout.write(
            "\nStaff (admin, agent) also need a TOTP code to open /admin/. Demo secret for both:\n"
            f"  {DEMO_TOTP_SECRET}\n"
            "Add it to any authenticator app (or scan "
            f"otpauth://totp/Influmojo:{label}?secret={DEMO_TOTP_SECRET}&issuer=Influmojo),\n"
            "or print the current code with:\n"
            f"  {totp_code_command()}\n"
        )
        self.stdout.write(self.style.SUCCESS(f"Open {settings.SITE_URL} and sign in with any account above."))

