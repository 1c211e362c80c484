"""The onboarding flows as data: which steps each role goes through, in order.

A user's progress lives in `User.onboarding_state` ({step: "completed" | "skipped"}) and
`User.onboarding_step` (the next step to show); `accounts.services.onboarding_*` change them.
"""

from django.urls import reverse

FLOWS: dict[str, list[str]] = {
    "creator": ["personal", "categories", "social", "rates"],
    "brand": ["company", "goals", "preferences"],
}

TITLES = {
    "personal": "About you",
    "categories": "Categories & niches",
    "social": "Social handles",
    "rates": "Content & rates",
    "company": "Your company",
    "goals": "Marketing goals",
    "preferences": "Budget & preferences",
}


def steps_for(user) -> list[str]:
    return FLOWS.get(user.user_type, [])


def first_open_step(user) -> str:
    """The first step neither completed nor skipped; "" when every step is done."""
    state = user.onboarding_state or {}
    return next((step for step in steps_for(user) if step not in state), "")


def progress(user) -> dict:
    steps = steps_for(user)
    state = user.onboarding_state or {}
    done = sum(1 for step in steps if state.get(step) == "completed")
    return {
        "flow": user.user_type,
        "completed": user.onboarding_completed,
        "current_step": user.onboarding_step or first_open_step(user),
        "percent": round(100 * done / len(steps)) if steps else 100,
        "steps": [
            {"step": step, "title": TITLES[step], "status": state.get(step, "pending")} for step in steps
        ],
    }


def next_step_url(user) -> str:
    step = user.onboarding_step or first_open_step(user)
    if not step:
        return reverse("dashboard")
    return reverse("onboarding_step", kwargs={"step": step})


def previous_step(user, step: str) -> str:
    """The step before `step` in the user's flow; "" for the first one."""
    steps = steps_for(user)
    index = steps.index(step) if step in steps else 0
    return steps[index - 1] if index > 0 else ""


# --- What each step writes, and the vocabularies its fields choose from ---------------------------
STEP_FIELDS: dict[str, list[str]] = {
    "personal": ["display_name", "bio", "gender", "date_of_birth", "country", "state", "city", "pincode", "languages"],
    "categories": ["content_categories", "niches"],
    "social": [],  # handles are SocialAccount rows: creators.services.social.social_handles_replace
    "rates": ["content_types", "min_rate", "max_rate", "currency", "availability"],
    "company": [
        "company_name", "industry", "industries", "role_in_organization", "business_type", "company_size",
        "website", "description", "country", "state", "city",
    ],
    "goals": ["marketing_goals"],
    "preferences": ["budget_min", "budget_max", "currency", "target_audience", "preferences"],
}

MIN_CREATOR_AGE = 13

GENDERS = {
    "female": "Female",
    "male": "Male",
    "non_binary": "Non-binary",
    "other": "Other",
    "prefer_not_to_say": "Prefer not to say",
}

CONTENT_CATEGORIES = {
    "fashion": "Fashion", "beauty": "Beauty", "lifestyle": "Lifestyle", "travel": "Travel", "food": "Food & drink",
    "fitness": "Fitness", "health": "Health & wellness", "technology": "Technology", "gaming": "Gaming",
    "education": "Education", "finance": "Finance", "business": "Business", "entertainment": "Entertainment",
    "music": "Music", "comedy": "Comedy", "sports": "Sports", "parenting": "Parenting & family",
    "home": "Home & decor", "automotive": "Automotive", "pets": "Pets", "art": "Art & design",
    "photography": "Photography", "sustainability": "Sustainability",
}

SOCIAL_PLATFORMS = {
    "instagram": "Instagram", "youtube": "YouTube", "tiktok": "TikTok", "facebook": "Facebook",
    "twitter": "X (Twitter)",
}

CONTENT_TYPES = {
    "instagram_post": "Instagram post", "instagram_reel": "Instagram reel", "instagram_story": "Instagram story",
    "youtube_video": "YouTube video", "youtube_short": "YouTube short", "tiktok_video": "TikTok video",
    "facebook_post": "Facebook post", "twitter_post": "X post", "live_stream": "Live stream",
    "blog_post": "Blog post", "ugc_video": "UGC video", "product_review": "Product review",
}

CURRENCIES = {"USD": "US dollar", "EUR": "Euro", "GBP": "Pound sterling", "INR": "Indian rupee",
              "AUD": "Australian dollar", "CAD": "Canadian dollar", "SGD": "Singapore dollar", "AED": "UAE dirham"}

CONTENT_LANGUAGES = {
    "en": "English", "hi": "Hindi", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "ru": "Russian", "ar": "Arabic", "tr": "Turkish", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "id": "Indonesian", "vi": "Vietnamese", "th": "Thai", "fil": "Filipino",
    "bn": "Bengali", "ta": "Tamil", "te": "Telugu", "mr": "Marathi", "gu": "Gujarati", "kn": "Kannada",
    "ml": "Malayalam", "pa": "Punjabi", "ur": "Urdu", "sw": "Swahili",
}

INDUSTRIES = {
    "fashion": "Fashion & apparel", "beauty": "Beauty & personal care", "food_beverage": "Food & beverage",
    "technology": "Technology", "consumer_electronics": "Consumer electronics", "gaming": "Gaming",
    "health_wellness": "Health & wellness", "fitness": "Fitness", "travel_hospitality": "Travel & hospitality",
    "finance": "Finance & fintech", "education": "Education", "entertainment_media": "Entertainment & media",
    "home_living": "Home & living", "automotive": "Automotive", "retail_ecommerce": "Retail & e-commerce",
    "sports": "Sports", "pets": "Pets", "nonprofit": "Non-profit", "other": "Other",
}

BUSINESS_TYPES = {
    "b2c": "Consumer brand (B2C)", "d2c": "Direct to consumer (D2C)", "b2b": "Business to business (B2B)",
    "marketplace": "Marketplace", "agency": "Agency", "nonprofit": "Non-profit", "other": "Other",
}

COMPANY_SIZES = {
    "1-10": "1–10 people", "11-50": "11–50 people", "51-200": "51–200 people",
    "201-1000": "201–1,000 people", "1000+": "More than 1,000 people",
}

MARKETING_GOALS = {
    "brand_awareness": "Brand awareness", "product_launch": "Product launch", "sales": "Drive sales",
    "lead_generation": "Lead generation", "engagement": "Engagement", "app_installs": "App installs",
    "content_creation": "Content for our channels", "community_growth": "Grow our community",
    "event_promotion": "Event promotion", "reputation": "Reputation & trust",
}

# ISO 3166-1 alpha-2 (from the IANA tz database's iso3166.tab).
COUNTRIES: dict[str, str] = {
    "AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan", "AG": "Antigua & Barbuda",
    "AI": "Anguilla", "AL": "Albania", "AM": "Armenia", "AO": "Angola", "AQ": "Antarctica", "AR": "Argentina",
    "AS": "Samoa (American)", "AT": "Austria", "AU": "Australia", "AW": "Aruba", "AX": "Åland Islands",
    "AZ": "Azerbaijan", "BA": "Bosnia & Herzegovina", "BB": "Barbados", "BD": "Bangladesh", "BE": "Belgium",
    "BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain", "BI": "Burundi", "BJ": "Benin",
    "BL": "St Barthelemy", "BM": "Bermuda", "BN": "Brunei", "BO": "Bolivia", "BQ": "Caribbean NL",
    "BR": "Brazil", "BS": "Bahamas", "BT": "Bhutan", "BV": "Bouvet Island", "BW": "Botswana", "BY": "Belarus",
    "BZ": "Belize", "CA": "Canada", "CC": "Cocos (Keeling) Islands", "CD": "Congo (Dem. Rep.)",
    "CF": "Central African Rep.", "CG": "Congo (Rep.)", "CH": "Switzerland", "CI": "Côte d'Ivoire",
    "CK": "Cook Islands", "CL": "Chile", "CM": "Cameroon", "CN": "China", "CO": "Colombia",
    "CR": "Costa Rica", "CU": "Cuba", "CV": "Cape Verde", "CW": "Curaçao", "CX": "Christmas Island",
    "CY": "Cyprus", "CZ": "Czech Republic", "DE": "Germany", "DJ": "Djibouti", "DK": "Denmark",
    "DM": "Dominica", "DO": "Dominican Republic", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia",
    "EG": "Egypt", "EH": "Western Sahara", "ER": "Eritrea", "ES": "Spain", "ET": "Ethiopia", "FI": "Finland",
    "FJ": "Fiji", "FK": "Falkland Islands", "FM": "Micronesia", "FO": "Faroe Islands", "FR": "France",
    "GA": "Gabon", "GB": "Britain (UK)", "GD": "Grenada", "GE": "Georgia", "GF": "French Guiana",
    "GG": "Guernsey", "GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland", "GM": "Gambia", "GN": "Guinea",
    "GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
    "GS": "South Georgia & the South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
    "GW": "Guinea-Bissau", "GY": "Guyana", "HK": "Hong Kong", "HM": "Heard Island & McDonald Islands",
    "HN": "Honduras", "HR": "Croatia", "HT": "Haiti", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland",
    "IL": "Israel", "IM": "Isle of Man", "IN": "India", "IO": "British Indian Ocean Territory", "IQ": "Iraq",
    "IR": "Iran", "IS": "Iceland", "IT": "Italy", "JE": "Jersey", "JM": "Jamaica", "JO": "Jordan",
    "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan", "KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros",
    "KN": "St Kitts & Nevis", "KP": "Korea (North)", "KR": "Korea (South)", "KW": "Kuwait",
    "KY": "Cayman Islands", "KZ": "Kazakhstan", "LA": "Laos", "LB": "Lebanon", "LC": "St Lucia",
    "LI": "Liechtenstein", "LK": "Sri Lanka", "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania",
    "LU": "Luxembourg", "LV": "Latvia", "LY": "Libya", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova",
    "ME": "Montenegro", "MF": "St Martin (French)", "MG": "Madagascar", "MH": "Marshall Islands",
    "MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar (Burma)", "MN": "Mongolia", "MO": "Macau",
    "MP": "Northern Mariana Islands", "MQ": "Martinique", "MR": "Mauritania", "MS": "Montserrat",
    "MT": "Malta", "MU": "Mauritius", "MV": "Maldives", "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia",
    "MZ": "Mozambique", "NA": "Namibia", "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island",
    "NG": "Nigeria", "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal", "NR": "Nauru",
    "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama", "PE": "Peru", "PF": "French Polynesia",
    "PG": "Papua New Guinea", "PH": "Philippines", "PK": "Pakistan", "PL": "Poland",
    "PM": "St Pierre & Miquelon", "PN": "Pitcairn", "PR": "Puerto Rico", "PS": "Palestine", "PT": "Portugal",
    "PW": "Palau", "PY": "Paraguay", "QA": "Qatar", "RE": "Réunion", "RO": "Romania", "RS": "Serbia",
    "RU": "Russia", "RW": "Rwanda", "SA": "Saudi Arabia", "SB": "Solomon Islands", "SC": "Seychelles",
    "SD": "Sudan", "SE": "Sweden", "SG": "Singapore", "SH": "St Helena", "SI": "Slovenia",
    "SJ": "Svalbard & Jan Mayen", "SK": "Slovakia", "SL": "Sierra Leone", "SM": "San Marino", "SN": "Senegal",
    "SO": "Somalia", "SR": "Suriname", "SS": "South Sudan", "ST": "Sao Tome & Principe", "SV": "El Salvador",
    "SX": "St Maarten (Dutch)", "SY": "Syria", "SZ": "Eswatini (Swaziland)", "TC": "Turks & Caicos Is",
    "TD": "Chad", "TF": "French S. Terr.", "TG": "Togo", "TH": "Thailand", "TJ": "Tajikistan",
    "TK": "Tokelau", "TL": "East Timor", "TM": "Turkmenistan", "TN": "Tunisia", "TO": "Tonga", "TR": "Turkey",
    "TT": "Trinidad & Tobago", "TV": "Tuvalu", "TW": "Taiwan", "TZ": "Tanzania", "UA": "Ukraine",
    "UG": "Uganda", "UM": "US minor outlying islands", "US": "United States", "UY": "Uruguay",
    "UZ": "Uzbekistan", "VA": "Vatican City", "VC": "St Vincent", "VE": "Venezuela",
    "VG": "Virgin Islands (UK)", "VI": "Virgin Islands (US)", "VN": "Vietnam", "VU": "Vanuatu",
    "WF": "Wallis & Futuna", "WS": "Samoa (western)", "YE": "Yemen", "YT": "Mayotte", "ZA": "South Africa",
    "ZM": "Zambia", "ZW": "Zimbabwe",
}
