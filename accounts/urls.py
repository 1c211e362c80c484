from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("onboarding/", views.onboarding_resume, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("onboarding/<slug:step>/skip/", views.onboarding_skip, name="onboarding_skip"),
    path("settings/", views.profile_settings, name="profile_settings"),
]
