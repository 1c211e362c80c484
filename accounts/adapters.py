"""allauth adapters: the seams where allauth's flows meet Influmojo's accounts services."""

import dataclasses

from allauth.account.adapter import DefaultAccountAdapter
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from . import onboarding, services, sms
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        return services.user_complete_signup(user=user, data=form.cleaned_data)

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.primary:
            services.user_email_verified(user_id=email_address.user_id)
        return confirmed

    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and user.user_type in onboarding.FLOWS and not user.onboarding_completed:
            return onboarding.next_step_url(user)
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def login(self, request, user):
        super().login(request, user)
        services.user_logged_in(user_id=user.pk)

    # Phone numbers: allauth runs the verification flow (codes, expiry, attempts, rate limits);
    # Influmojo stores the number on the user and sends the code through the configured SMS sender.
    def send_verification_code_sms(self, user, phone, code, **kwargs):
        minutes = settings.ACCOUNT_PHONE_VERIFICATION_TIMEOUT // 60
        sms.send_sms(to=phone, body=f"Your Influmojo code is {code}. It expires in {minutes} minutes.")

    def set_phone(self, user, phone, verified):
        services.user_set_phone(user=user, phone=phone, verified=verified)

    def get_phone(self, user):
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone):
        services.user_set_phone(user=user, phone=phone, verified=True)

    def get_user_by_phone(self, phone):
        return User.objects.filter(phone=phone).order_by("pk").first()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.auth_provider = sociallogin.account.provider
        user.name = user.name or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        return user


@dataclasses.dataclass
class _UserExtra:
    user_type: str = dataclasses.field(metadata={"description": "creator | brand | agent | admin"}, default="")
    status: str = dataclasses.field(metadata={"description": "pending | active | suspended | banned"}, default="")
    onboarding_completed: bool = False
    onboarding_step: str = dataclasses.field(metadata={"description": "next onboarding step"}, default="")


class HeadlessAdapter(DefaultHeadlessAdapter):
    """Adds role, status and onboarding state to the user payload the mobile app receives."""

    def get_user_dataclass(self):
        base = super().get_user_dataclass()
        return dataclasses.make_dataclass(
            "User",
            [(f.name, f.type, f) for f in dataclasses.fields(_UserExtra)],
            bases=(base,),
        )

    def user_as_dataclass(self, user):
        return dataclasses.replace(
            super().user_as_dataclass(user),  # already of the extended dataclass
            user_type=user.user_type,
            status=user.status,
            onboarding_completed=user.onboarding_completed,
            onboarding_step=user.onboarding_step,
        )


def user_display(user) -> str:
    return user.display_name
