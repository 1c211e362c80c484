from django.urls import path

from accounts import onboarding

from . import views

urlpatterns = [
    path("profile/me", views.ProfileMeView.as_view(), name="api_profile_me"),
    path("profile/avatar", views.AvatarView.as_view(), name="api_profile_avatar"),
    path("profile/settings", views.SettingsView.as_view(), name="api_profile_settings"),
]

for role, steps in onboarding.FLOWS.items():
    urlpatterns += [
        path(f"onboarding/{role}/progress", views.progress_view(role), name=f"api_onboarding_{role}_progress"),
        path(f"onboarding/{role}/skip/<slug:step>", views.skip_view(role), name=f"api_onboarding_{role}_skip"),
        *(
            path(f"onboarding/{role}/{step}", views.step_view(role, step), name=f"api_onboarding_{role}_{step}")
            for step in steps
        ),
    ]
