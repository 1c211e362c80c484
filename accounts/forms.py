from django import forms

from .models import User

SIGNUP_USER_TYPES = [(User.UserType.BRAND, "I'm a brand"), (User.UserType.CREATOR, "I'm a creator")]


class SignupForm(forms.Form):
    """Extra signup fields for allauth (web, social and headless): the user's name and role.

    The fields are applied by `AccountAdapter.save_user`, before the first save, so the right
    profile is created with the user.
    """

    name = forms.CharField(max_length=150, label="Full name")
    user_type = forms.ChoiceField(choices=SIGNUP_USER_TYPES, widget=forms.RadioSelect, label="Account type")

    def signup(self, request, user):
        """allauth requires this hook; the work happens in AccountAdapter.save_user."""
