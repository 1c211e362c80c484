from django.db import migrations


class Migration(migrations.Migration):
    """The handles now live as SocialAccount rows (0002 copied them); the JSON copy goes."""

    dependencies = [
        ("accounts", "0002_social_handles_to_social_accounts"),
    ]

    operations = [migrations.RemoveField(model_name="creatorprofile", name="social_handles")]
