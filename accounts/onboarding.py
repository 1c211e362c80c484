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
        "current_step": user.onboarding_step,
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
