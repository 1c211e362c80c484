"""Handles typed at onboarding move from CreatorProfile.social_handles to self-reported SocialAccount rows.

From here on the onboarding "social" step writes SocialAccount rows (creators.services.social); this copies
what was saved before, so no handle is lost, and empties the JSON so nothing reads a stale copy. A platform
where the creator already has an account keeps it.
"""

from django.db import migrations

PROFILE_URLS = {
    "instagram": "https://www.instagram.com/{}/",
    "youtube": "https://www.youtube.com/@{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "facebook": "https://www.facebook.com/{}",
    "twitter": "https://x.com/{}",
}


def handles_to_accounts(apps, schema_editor):
    CreatorProfile = apps.get_model("accounts", "CreatorProfile")
    SocialAccount = apps.get_model("creators", "SocialAccount")
    for profile in CreatorProfile.objects.exclude(social_handles=[]).only("user_id", "social_handles").iterator():
        taken = {account.platform for account in SocialAccount.objects.filter(creator_id=profile.user_id)}
        for item in profile.social_handles or []:
            platform, handle = item.get("platform"), str(item.get("handle") or "")[:100]
            if platform not in PROFILE_URLS or not handle or platform in taken:
                continue
            taken.add(platform)
            SocialAccount.objects.create(
                creator_id=profile.user_id,
                platform=platform,
                source="self_reported",
                state="self_reported",
                username=handle,
                profile_url=PROFILE_URLS[platform].format(handle),
                followers=max(0, int(item.get("followers") or 0)),
            )
        CreatorProfile.objects.filter(pk=profile.pk).update(social_handles=[])


def accounts_to_handles(apps, schema_editor):
    CreatorProfile = apps.get_model("accounts", "CreatorProfile")
    SocialAccount = apps.get_model("creators", "SocialAccount")
    handles: dict[int, list[dict]] = {}
    for account in SocialAccount.objects.filter(source="self_reported").order_by("platform", "id"):
        handles.setdefault(account.creator_id, []).append(
            {"platform": account.platform, "handle": account.username, "followers": account.followers or None}
        )
    for user_id, items in handles.items():
        CreatorProfile.objects.filter(user_id=user_id).update(social_handles=items)
    SocialAccount.objects.filter(source="self_reported").delete()  # the JSON is the only copy again


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("creators", "0001_initial"),
    ]

    operations = [migrations.RunPython(handles_to_accounts, accounts_to_handles)]
