"""The deterministic reading of a search sentence: always available, and the fallback when the model is not.

It recognises follower counts ("over 100K", "10k-50k followers"), budgets ("budget 500–2000", "$500-$2k",
"under $1000"), engagement ("engagement above 3%"), platforms and their nicknames, content categories and
their synonyms, countries (names, demonyms, "in India", "US"), languages ("Spanish-speaking"), size bands
("micro-influencers"), "verified", "available" and a few orderings ("cheapest"). Each phrase it uses is
removed from the sentence; the meaningful words left over become the free-text search.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from accounts.onboarding import CONTENT_CATEGORIES, CONTENT_LANGUAGES, COUNTRIES
from brands.models import SizeBand
from brands.query import CreatorQuery

MAX_FOLLOWERS = 10**10
MAX_PRICE = Decimal("1000000000")


@dataclass
class Reading:
    """What the parser (or the model) understood: the query plus the budget's currency, if one was named."""

    query: CreatorQuery
    currency: str = ""


@dataclass
class _Found:
    values: dict = field(default_factory=dict)

    def add(self, key: str, *items):
        bucket = self.values.setdefault(key, [])
        bucket.extend(item for item in items if item not in bucket)


# --- Vocabularies --------------------------------------------------------------------------------------------
PLATFORM_WORDS = {
    "youtube": "youtube", "youtuber": "youtube", "youtubers": "youtube", "yt": "youtube", "vlogger": "youtube",
    "vloggers": "youtube",
    "instagram": "instagram", "instagrammer": "instagram", "instagrammers": "instagram", "insta": "instagram",
    "ig": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tiktoker": "tiktok", "tiktokers": "tiktok", "tik tokers": "tiktok",
    "facebook": "facebook", "fb": "facebook",
    "twitter": "twitter", "tweeter": "twitter", "tweeters": "twitter", "x/twitter": "twitter",
    "twitter/x": "twitter", "on x": "twitter", "x creators": "twitter", "x influencers": "twitter",
}

# Words that name a content category without being its key; everything in CONTENT_CATEGORIES counts too.
NICHE_WORDS = {
    "tech": "technology", "techie": "technology", "techies": "technology", "gadget": "technology",
    "gadgets": "technology", "electronics": "technology", "smartphone": "technology", "smartphones": "technology",
    "phones": "technology", "software": "technology", "coding": "technology", "programming": "technology",
    "ai": "technology", "computers": "technology", "pc": "technology",
    "makeup": "beauty", "makeup artist": "beauty", "makeup artists": "beauty", "make-up": "beauty", "cosmetics": "beauty", "skincare": "beauty", "skin care": "beauty",
    "haircare": "beauty", "hair": "beauty", "nails": "beauty", "grooming": "beauty",
    "gym": "fitness", "workout": "fitness", "workouts": "fitness", "bodybuilding": "fitness", "yoga": "fitness",
    "crossfit": "fitness", "running": "fitness", "pilates": "fitness",
    "wellness": "health", "mental health": "health", "nutrition": "health", "healthy": "health",
    "foodie": "food", "foodies": "food", "cooking": "food", "recipe": "food", "recipes": "food", "chef": "food",
    "chefs": "food", "baking": "food", "restaurant": "food", "restaurants": "food", "drink": "food",
    "drinks": "food", "vegan": "food",
    "traveler": "travel", "travelers": "travel", "traveller": "travel", "travellers": "travel",
    "wanderlust": "travel", "tourism": "travel",
    "gamer": "gaming", "gamers": "gaming", "esports": "gaming", "e-sports": "gaming", "games": "gaming",
    "video games": "gaming", "streamer": "gaming", "streamers": "gaming",
    "style": "fashion", "outfit": "fashion", "outfits": "fashion", "clothing": "fashion", "streetwear": "fashion",
    "personal finance": "finance", "investing": "finance", "investment": "finance", "crypto": "finance",
    "money": "finance", "fintech": "finance", "stocks": "finance",
    "entrepreneur": "business", "entrepreneurs": "business", "startup": "business", "startups": "business",
    "marketing": "business",
    "movies": "entertainment", "movie": "entertainment", "film": "entertainment", "films": "entertainment",
    "tv": "entertainment", "celebrity": "entertainment",
    "musician": "music", "musicians": "music", "singer": "music", "singers": "music", "dj": "music",
    "comedian": "comedy", "comedians": "comedy", "funny": "comedy", "memes": "comedy", "humor": "comedy",
    "humour": "comedy",
    "sport": "sports", "football": "sports", "soccer": "sports", "cricket": "sports", "basketball": "sports",
    "tennis": "sports", "athlete": "sports", "athletes": "sports",
    "parent": "parenting", "parents": "parenting", "family": "parenting", "mom": "parenting",
    "moms": "parenting", "mommy": "parenting", "mum": "parenting", "mums": "parenting", "dad": "parenting",
    "dads": "parenting", "baby": "parenting", "kids": "parenting",
    "decor": "home", "home decor": "home", "interior": "home", "interiors": "home", "diy": "home",
    "gardening": "home",
    "car": "automotive", "cars": "automotive", "auto": "automotive", "motorcycles": "automotive",
    "pet": "pets", "dog": "pets", "dogs": "pets", "cat": "pets", "cats": "pets",
    "artist": "art", "artists": "art", "design": "art", "designer": "art", "designers": "art",
    "illustration": "art", "illustrators": "art",
    "photo": "photography", "photos": "photography", "photographer": "photography",
    "photographers": "photography",
    "eco": "sustainability", "sustainable": "sustainability", "zero waste": "sustainability",
    "teacher": "education", "teachers": "education", "learning": "education", "edtech": "education",
    "students": "education",
    "lifestyle": "lifestyle",
}
for _key in CONTENT_CATEGORIES:
    NICHE_WORDS.setdefault(_key, _key)

DEMONYMS = {
    "indian": "IN", "american": "US", "british": "GB", "scottish": "GB", "welsh": "GB", "canadian": "CA",
    "australian": "AU", "aussie": "AU", "german": "DE", "french": "FR", "spanish": "ES", "italian": "IT",
    "brazilian": "BR", "mexican": "MX", "japanese": "JP", "korean": "KR", "south korean": "KR",
    "chinese": "CN", "dutch": "NL", "irish": "IE", "nigerian": "NG", "kenyan": "KE", "south african": "ZA",
    "pakistani": "PK", "bangladeshi": "BD", "indonesian": "ID", "filipino": "PH", "vietnamese": "VN",
    "thai": "TH", "turkish": "TR", "russian": "RU", "emirati": "AE", "saudi": "SA", "egyptian": "EG",
    "singaporean": "SG", "malaysian": "MY", "swedish": "SE", "norwegian": "NO", "danish": "DK",
    "finnish": "FI", "polish": "PL", "portuguese": "PT", "argentinian": "AR", "argentine": "AR",
    "colombian": "CO", "chilean": "CL", "peruvian": "PE", "kiwi": "NZ", "swiss": "CH", "austrian": "AT",
    "belgian": "BE", "greek": "GR", "israeli": "IL", "ukrainian": "UA", "sri lankan": "LK", "nepali": "NP",
}
COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "united kingdom": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states": "US",
    "united states of america": "US", "the states": "US", "uae": "AE", "emirates": "AE",
    "south korea": "KR", "north korea": "KP", "burma": "MM", "holland": "NL", "czech republic": "CZ",
    "ivory coast": "CI",
}
# Country names that are also ordinary words or names; they count only after "in", "from" or "based in".
AMBIGUOUS_COUNTRIES = {"chad", "jersey", "georgia", "turkey", "jordan", "guernsey", "dominica", "niger",
                       "guinea", "man", "christmas island", "norfolk island", "reunion", "peru"}


def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for code, name in COUNTRIES.items():
        plain = re.sub(r"\s*\(.*?\)", "", name).replace("&", "and").lower().strip()
        seen[plain] = seen.get(plain, 0) + 1
        names[plain] = code
    names = {name: code for name, code in names.items() if seen[name] == 1}  # "korea", "congo": ambiguous
    names.update(COUNTRY_ALIASES)
    return names


COUNTRY_NAMES = _country_names()
LANGUAGE_NAMES = {label.lower(): code for code, label in CONTENT_LANGUAGES.items()}
LANGUAGE_NAMES.update({"mandarin": "zh", "cantonese": "zh"})
SIZE_WORDS = {"nano": SizeBand.NANO.value, "micro": SizeBand.MICRO.value, "mid-tier": SizeBand.MID.value,
              "mid tier": SizeBand.MID.value, "midtier": SizeBand.MID.value, "macro": SizeBand.MACRO.value,
              "mega": SizeBand.MEGA.value}

STOP_WORDS = set("""
a an the and or but of in on at to from for with without by about around approximately roughly near
who whom that which what where when whose is are be been being am was were do does did doing has have had
i me my we us our you your they them their he she his her it its this these those there here
find finding search searching show showing list get give looking look want wanting need needing seeking
please can could would should will some any all every each few many much more most less least than
over under above below between within upto up down max maximum min minimum at least plus no not only just
very really good great best top nice high higher low lower big bigger small smaller large
creator creators influencer influencers people person someone somebody account accounts profile profiles
channel channels content contents page pages audience audiences follower followers following fans fan
subscriber subscribers subs views based located living live lives from speaking speak speaks speaker speakers
language languages country countries budget budgets price prices priced pricing rate rates cost costs costing
pay paying paid spend spending per post posts range ranging usd dollar dollars eur euro euros gbp pound pounds
inr rupee rupees rs k m thousand million engagement engaged er percent also like such etc first help thanks
posting make makes making create creates creating about video videos
""".split())

# --- Numbers -------------------------------------------------------------------------------------------------
_SCALE = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "mil": 1_000_000,
          "million": 1_000_000, "lakh": 100_000, "lakhs": 100_000, "crore": 10_000_000, "crores": 10_000_000}
NUM = r"\d+(?:\.\d+)?(?:\s?(?:k|mn|mil|m|thousand|million|lakhs?|crores?))?(?![a-z0-9])"
_CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "€": "EUR",
                   "eur": "EUR", "euro": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP",
                   "pounds": "GBP", "₹": "INR", "inr": "INR", "rs": "INR", "rs.": "INR", "rupee": "INR",
                   "rupees": "INR"}
CUR = r"(?:us\$|\$|€|£|₹|(?<![a-z])(?:usd|eur(?:os?)?|gbp|inr|rs\.?|dollars?|pounds?|rupees?)(?![a-z]))"
PRICE_WORD = r"(?<![a-z])(?:budgets?|prices?|priced|pricing|rates?|costs?|costing|pay|paying|spend|spending|fees?)(?![a-z])"
UPPER = r"(?<![a-z])(?:under|below|less\s+than|up\s*to|at\s+most|max(?:imum)?|no\s+more\s+than|within|<=?|lower\s+than|cheaper\s+than|fewer\s+than|not\s+over)"
LOWER = r"(?<![a-z])(?:over|above|more\s+than|at\s+least|min(?:imum)?|>=?|greater\s+than|upwards\s+of|from|starting\s+at|bigger\s+than|larger\s+than)"
RANGE_SEP = r"\s*(?:-|to|and|/)\s*"
FOLLOWER_WORD = r"(?:followers?|subscribers?|subs|fans|audience|reach|following)"


def number(text: str) -> Decimal | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s?([a-z]*)", text.strip())
    if not match:
        return None
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:
        return None
    return value * _SCALE.get(match.group(2), 1)


def _has_scale(text: str) -> bool:
    return bool(re.search(r"[a-z]", text))


def _currency(text: str) -> str:
    for token in re.findall(r"us\$|\$|€|£|₹|[a-z.]+", text):
        if token in _CURRENCY_SIGNS:
            return _CURRENCY_SIGNS[token]
    return ""


def _amount(name: str) -> str:
    return rf"{CUR}?\s*(?P<{name}>{NUM})\s*{CUR}?"


# --- The reading ---------------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    text = text.strip()
    # "US" in capitals is the country; in lower case "us" is a pronoun.
    text = re.sub(r"\bU\.?S\.?A?\.?(?=[^\w$]|$)", " usa ", text)
    text = re.sub(r"\bU\.?K\.?(?=\W|$)", " uk ", text)
    text = text.lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # en/em dashes and minus signs
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,000,000
    text = re.sub(r"[“”\"'`‘’]", " ", text)
    return f" {text} "


class _Sentence:
    """The lower-cased sentence; each rule blanks what it consumed so nothing is read twice."""

    def __init__(self, text: str):
        self.text = normalise(text)

    def take(self, pattern: str, handle) -> None:
        def replace(match):
            return " " if handle(match) is not False else match.group(0)

        self.text = re.sub(pattern, replace, self.text)

    def leftover_words(self) -> list[str]:
        words = re.findall(r"[a-z0-9][a-z0-9+#.&'-]*[a-z0-9+#]|[a-z0-9]", self.text)
        return [w for w in words if len(w) > 1 and w not in STOP_WORDS and not re.fullmatch(r"[\d.%+-]+[km]?", w)]


def _word_alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _take_prices(sentence: _Sentence, found: _Found) -> None:
    def price_range(match):
        lo, hi = number(match.group("lo")), number(match.group("hi"))
        if lo is None or hi is None:
            return False
        found.add("min_price", lo)
        found.add("max_price", hi)
        found.add("currency", _currency(match.group(0)))
        return True

    def price_bound(key):
        def handle(match):
            value = number(match.group("v"))
            if value is None:
                return False
            found.add(key, value)
            found.add("currency", _currency(match.group(0)))
            return True

        return handle

    word_prefix = rf"{PRICE_WORD}(?:\s+(?:of|is|around|between|from|range|per\s+creator|per\s+post|:))*\s*:?\s*"
    # "budget 500-2000", "price between 500 and 2k", "$500-$2k", "500 to 2000 dollars"
    sentence.take(rf"{word_prefix}{_amount('lo')}{RANGE_SEP}{_amount('hi')}", price_range)
    sentence.take(rf"(?:between\s+|from\s+)?{CUR}\s*(?P<lo>{NUM}){RANGE_SEP}{CUR}?\s*(?P<hi>{NUM})", price_range)
    sentence.take(rf"(?:between\s+|from\s+)?(?P<lo>{NUM}){RANGE_SEP}(?P<hi>{NUM})\s*{CUR}", price_range)
    # "budget under 1000", "under $1000", "max 500 dollars"
    sentence.take(rf"{word_prefix}{UPPER}\s*{_amount('v')}", price_bound("max_price"))
    sentence.take(rf"{UPPER}\s*(?:{CUR}\s*(?P<v>{NUM})|(?P<w>{NUM})\s*{CUR})",
                  lambda m: price_bound("max_price")(_Alias(m)))
    sentence.take(rf"{word_prefix}{LOWER}\s*{_amount('v')}", price_bound("min_price"))
    sentence.take(rf"{LOWER}\s*(?:{CUR}\s*(?P<v>{NUM})|(?P<w>{NUM})\s*{CUR})",
                  lambda m: price_bound("min_price")(_Alias(m)))
    # "budget 1000", "$800 budget", "$800"
    sentence.take(rf"{word_prefix}{_amount('v')}", price_bound("max_price"))
    sentence.take(rf"(?:{CUR}\s*(?P<v>{NUM})|(?P<w>{NUM})\s*{CUR})(?:\s+{PRICE_WORD})?",
                  lambda m: price_bound("max_price")(_Alias(m)))


class _Alias:
    """Lets one handler read `v` from patterns where the number sits before or after the currency."""

    def __init__(self, match):
        self.match = match

    def group(self, name):
        if name == "v":
            return self.match.group("v") or self.match.group("w")
        return self.match.group(name)


def _take_followers(sentence: _Sentence, found: _Found) -> None:
    def follower_range(match):
        lo_text, hi_text = match.group("lo"), match.group("hi")
        if not (match.group("word") or match.group("between") or _has_scale(lo_text) or _has_scale(hi_text)):
            return False
        lo, hi = number(lo_text), number(hi_text)
        if not _has_scale(lo_text) and _has_scale(hi_text):  # "10-50k" means 10k-50k
            lo = lo * (hi / number(re.match(r"[\d.]+", hi_text).group(0)))
        found.add("min_followers", int(lo))
        found.add("max_followers", int(hi))
        return True

    def follower_bound(key):
        def handle(match):
            text = match.group("v")
            value = number(text)
            if value is None or not (match.group("word") or _has_scale(text) or value >= 1000):
                return False  # "over 5 years" is not an audience size
            found.add(key, int(value))
            return True

        return handle

    word = rf"(?:\s*(?P<word>{FOLLOWER_WORD}))?"
    sentence.take(rf"(?P<between>between\s+|from\s+)?(?P<lo>{NUM}){RANGE_SEP}(?P<hi>{NUM}){word}", follower_range)
    sentence.take(rf"{LOWER}\s*(?P<v>{NUM})\s*\+?{word}", follower_bound("min_followers"))
    sentence.take(rf"{UPPER}\s*(?P<v>{NUM}){word}", follower_bound("max_followers"))
    sentence.take(rf"(?P<v>{NUM})\s*\+{word}", follower_bound("min_followers"))
    sentence.take(rf"(?P<v>{NUM})\s*(?P<word>{FOLLOWER_WORD})", follower_bound("min_followers"))


def _take_engagement(sentence: _Sentence, found: _Found) -> None:
    def handle(match):
        found.add("min_engagement", Decimal(match.group("v")))
        return True

    eng = r"(?<![a-z])(?:engagement(?:\s+rate)?|er)(?![a-z])"
    sentence.take(rf"{eng}\s*(?:of|is|:)?\s*(?:{LOWER})?\s*(?P<v>\d+(?:\.\d+)?)\s*%\+?", handle)
    sentence.take(rf"(?:{LOWER}\s*)?(?P<v>\d+(?:\.\d+)?)\s*%\s*\+?\s*(?:or\s+more\s+)?{eng}", handle)

    def quality(match):
        found.add("min_audience_quality", int(match.group("v")))
        return True

    sentence.take(rf"audience\s+quality\s*(?:score)?\s*(?:of|is|:)?\s*(?:{LOWER})?\s*(?P<v>\d{{1,3}})(?!\d)", quality)


def _take_words(sentence: _Sentence, found: _Found) -> None:
    def keyed(key, vocabulary):
        def handle(match):
            found.add(key, vocabulary[re.sub(r"\s+", " ", match.group("w"))])
            return True

        return handle

    def phrase(words) -> str:
        return rf"(?<![a-z0-9])(?P<w>{_word_alternation(words)})(?![a-z0-9/])"

    # Languages before countries: "Spanish-speaking" is a language, "Spanish creators" a country.
    langs = _word_alternation(LANGUAGE_NAMES)
    sentence.take(rf"(?<![a-z])(?P<w>{langs})\s*-?\s*(?:speaking|speakers?|language|content|videos?)(?![a-z])",
                  keyed("languages", LANGUAGE_NAMES))
    sentence.take(rf"(?<![a-z])(?:speak(?:s|ing)?|in|creating\s+in|posting\s+in)\s+(?P<w>{langs})(?![a-z])",
                  keyed("languages", LANGUAGE_NAMES))
    bare_languages = {name: code for name, code in LANGUAGE_NAMES.items() if name not in DEMONYMS}
    sentence.take(phrase(bare_languages), keyed("languages", bare_languages))

    countries = _word_alternation(COUNTRY_NAMES)
    sentence.take(rf"(?<![a-z])(?:in|from|based\s+in|located\s+in|living\s+in|across)\s+(?:the\s+)?(?P<w>{countries})(?![a-z])",
                  keyed("countries", COUNTRY_NAMES))
    plain = {n: c for n, c in COUNTRY_NAMES.items() if n not in AMBIGUOUS_COUNTRIES}
    sentence.take(phrase(plain), keyed("countries", plain))
    sentence.take(phrase(DEMONYMS), keyed("countries", DEMONYMS))

    sentence.take(phrase(PLATFORM_WORDS), keyed("platforms", PLATFORM_WORDS))
    sentence.take(rf"(?<![a-z])(?P<w>{_word_alternation(SIZE_WORDS)})(?:\s*-?\s*(?:influencers?|creators?))?(?![a-z])",
                  keyed("size_bands", SIZE_WORDS))

    # Niches, with a plural tolerated ("gamers", "travels").
    niche_words = dict(NICHE_WORDS)
    for word, key in NICHE_WORDS.items():
        niche_words.setdefault(word + "s", key)
    sentence.take(phrase(niche_words), keyed("niches", niche_words))

    flags = [
        (r"(?<![a-z-])verified", "verified"),
        (r"(?<![a-z-])(?:available(?:\s+now)?|open\s+(?:to|for)\s+(?:collabs?|collaborations?|work))", "available"),
    ]
    for pattern, key in flags:
        sentence.take(rf"{pattern}(?![a-z])", lambda m, key=key: found.add(key, True))

    orderings = [
        (r"cheapest|most\s+affordable|lowest\s+price[sd]?|affordable|budget-friendly", "price"),
        (r"most\s+followers|biggest|largest|most\s+popular", "-followers"),
        (r"most\s+engaged|highest\s+engagement|high(?:ly)?\s+engag(?:ed|ement|ing)", "-engagement"),
        (r"(?:top|best|highest)[\s-]+rated", "-rating"),
    ]
    for pattern, key in orderings:
        sentence.take(rf"(?<![a-z])(?:{pattern})(?![a-z])", lambda m, key=key: found.add("ordering", key))


def parse(text: str) -> Reading:
    """Read a search sentence into a CreatorQuery without any outside help."""
    sentence = _Sentence(text)
    found = _Found()
    _take_engagement(sentence, found)
    _take_prices(sentence, found)
    _take_followers(sentence, found)
    _take_words(sentence, found)
    values = found.values
    first = {key: items[0] for key, items in values.items() if items}

    min_followers, max_followers = first.get("min_followers"), first.get("max_followers")
    if min_followers is not None and max_followers is not None and min_followers > max_followers:
        min_followers, max_followers = max_followers, min_followers
    min_price, max_price = first.get("min_price"), first.get("max_price")
    if min_price is not None and max_price is not None and min_price > max_price:
        min_price, max_price = max_price, min_price

    query = CreatorQuery(
        search=" ".join(sentence.leftover_words())[:200],
        platforms=tuple(values.get("platforms", ())),
        niches=tuple(values.get("niches", ())),
        min_followers=_clamp(min_followers, 0, MAX_FOLLOWERS),
        max_followers=_clamp(max_followers, 0, MAX_FOLLOWERS),
        min_engagement=_clamp(first.get("min_engagement"), Decimal(0), Decimal(100)),
        countries=tuple(values.get("countries", ())),
        languages=tuple(values.get("languages", ())),
        min_price=_clamp(min_price, Decimal(0), MAX_PRICE),
        max_price=_clamp(max_price, Decimal(0), MAX_PRICE),
        available=first.get("available"),
        verified=first.get("verified"),
        min_audience_quality=_clamp(first.get("min_audience_quality"), 0, 100),
        size_bands=tuple(values.get("size_bands", ())),
        ordering=first.get("ordering", ""),
    )
    return Reading(query=query, currency=next((c for c in values.get("currency", ()) if c), ""))


def _clamp(value, low, high):
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.01"))
    return min(max(value, low), high)
