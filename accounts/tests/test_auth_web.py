"""Browser authentication through allauth's own pages."""

import re
from urllib.parse import unquote

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client

from accounts import services
from accounts.models import User
from influmojo.permissions import Actor

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def web_signup(client, **overrides):
    data = {"email": "leo@example.com", "password1": PASSWORD, "name": "Leo Park", "user_type": "brand"}
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def web_login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.parametrize(("user_type", "first_step"), [("brand", "company"), ("creator", "personal")])
def test_signup_logs_in_and_leads_to_the_first_onboarding_step(user_type, first_step):
    client = Client()

    response = web_signup(client, user_type=user_type)

    assert response.status_code == 302
    assert response["Location"] == f"/onboarding/{first_step}/"
    user = User.objects.get(email="leo@example.com")
    assert user.user_type == user_type and user.name == "Leo Park"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "confirm-email" in mail.outbox[-1].body


def test_signup_without_a_role_shows_a_form_error():
    response = web_signup(Client(), user_type="")

    assert response.status_code == 200
    assert "user_type" in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_as_agent_is_not_possible():
    response = web_signup(Client(), user_type="agent")

    assert response.status_code == 200
    assert not User.objects.exists()


def test_login_of_an_unfinished_user_resumes_onboarding(creator):
    creator.onboarding_state = {"personal": "completed"}
    creator.onboarding_step = "categories"
    creator.save()

    response = web_login(Client(), creator.email)

    assert response.status_code == 302
    assert response["Location"] == "/onboarding/categories/"


def test_login_of_a_finished_user_goes_to_the_dashboard(brand):
    User.objects.filter(pk=brand.pk).update(onboarding_completed=True)

    response = web_login(Client(), brand.email.upper())

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_logout_ends_the_session(brand):
    client = Client()
    web_login(client, brand.email)

    client.post("/accounts/logout/")

    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("to", ["suspended", "banned"])
def test_suspended_or_banned_user_is_logged_out_and_cannot_log_in(creator, to):
    client = Client()
    web_login(client, creator.email)
    assert client.get("/dashboard/").status_code == 200
    admin = User.objects.create_superuser("root@example.com", PASSWORD)

    services.user_set_status(user_id=creator.pk, to=to, actor=Actor.of(admin))

    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")
    refused = web_login(Client(), creator.email)
    assert refused.status_code == 302 and refused["Location"] == "/accounts/inactive/"


def test_email_verification_link_activates_the_account():
    client = Client()
    web_signup(client)
    key = unquote(re.search(r"confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1))

    page = client.get(f"/accounts/confirm-email/{key}/")
    confirmed = client.post(f"/accounts/confirm-email/{key}/")

    assert page.status_code == 200 and confirmed.status_code == 302
    user = User.objects.get(email="leo@example.com")
    assert user.email_verified and user.status == User.Status.ACTIVE


def test_password_reset_by_email(brand):
    client = Client()
    client.post("/accounts/password/reset/", {"email": brand.email})
    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)

    form_page = client.get(link, follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"password1": "N3w-secret-pass!", "password2": "N3w-secret-pass!"})

    assert done.status_code == 302
    assert web_login(Client(), brand.email, "N3w-secret-pass!").status_code == 302
    assert "form" in web_login(Client(), brand.email).context


def test_change_password(brand):
    client = Client()
    client.force_login(brand)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "Another-pass-987", "password2": "Another-pass-987"},
    )

    assert response.status_code == 302
    brand.refresh_from_db()
    assert brand.check_password("Another-pass-987")


def test_change_email_sends_a_verification_to_the_new_address(brand):
    client = Client()
    client.force_login(brand)

    response = client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.com"})

    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new-address@example.com"]


def test_staff_without_mfa_is_sent_to_totp_setup(agent):
    client = Client()
    client.force_login(agent)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_reaches_the_admin(agent):
    Authenticator.objects.create(user=agent, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client = Client()
    client.force_login(agent)

    assert client.get("/admin/").status_code == 200


def test_signup_is_rate_limited():
    client = Client()

    statuses = [web_signup(client, email=f"u{i}@example.com").status_code for i in range(12)]

    assert statuses[0] == 302
    assert statuses[-1] == 429
