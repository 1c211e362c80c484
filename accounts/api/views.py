"""Me, avatar, settings and onboarding: validate → one service → serialize."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from accounts import onboarding, services
from influmojo.permissions import IsBrand, IsCreator

from . import serializers as s


PROFILE_RELATIONS = {"creator": "creator_profile", "brand": "brand_profile"}


def _role_profile(user):
    relation = PROFILE_RELATIONS.get(user.user_type)
    return getattr(user, relation, None) if relation else None


def _me(request, user) -> dict:
    return s.me_serializer_class(user)(user, context={"request": request}).data


# --- Me -----------------------------------------------------------------------------------------------
class ProfileMeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["profile"], summary="The signed-in user with their role profile", responses=s.ME_SCHEMA)
    def get(self, request):
        return Response(_me(request, request.user))

    @extend_schema(
        tags=["profile"],
        summary="Update name, time zone, language and the role profile",
        description=(
            "Partial update. `profile` takes the fields of the role's onboarding steps, with the same rules. "
            "Read-only fields (email, phone, user_type, status, verified flags, slug, rating…) are ignored."
        ),
        request=s.ME_SCHEMA,
        responses=s.ME_SCHEMA,
    )
    def patch(self, request):
        serializer = s.me_serializer_class(request.user)(
            data=request.data, partial=True, context={"profile": _role_profile(request.user)}
        )
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, data=serializer.validated_data)
        return Response(_me(request, user))


class AvatarView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "uploads"

    @extend_schema(
        tags=["profile"],
        summary="Upload a new avatar",
        description="Replaces the avatar; refusals answer 400 with code `invalid_image`.",
        request={"multipart/form-data": s.AvatarUploadSerializer},
        responses=s.AvatarSerializer,
    )
    def post(self, request):
        serializer = s.AvatarUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_set_avatar(user=request.user, file=serializer.validated_data["avatar"])
        return Response(s.AvatarSerializer(user, context={"request": request}).data)

    @extend_schema(tags=["profile"], summary="Remove the avatar", request=None, responses={204: None})
    def delete(self, request):
        services.user_remove_avatar(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["profile"], summary="Profile visibility and notification preferences", responses=s.SettingsSerializer
    )
    def get(self, request):
        return Response(s.SettingsSerializer(request.user).data)

    @extend_schema(
        tags=["profile"],
        summary="Change profile visibility or notification preferences",
        request=s.SettingsSerializer,
        responses=s.SettingsSerializer,
    )
    def patch(self, request):
        serializer = s.SettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.settings_update(user=request.user, data=serializer.validated_data)
        return Response(s.SettingsSerializer(user).data)


# --- Onboarding -----------------------------------------------------------------------------------------
ROLE_PERMISSIONS = {"creator": IsCreator, "brand": IsBrand}


class OnboardingProgressView(APIView):
    def get(self, request):
        return Response({"progress": onboarding.progress(request.user)})


class OnboardingSkipView(APIView):
    def put(self, request, step):
        user = services.onboarding_skip_step(user=request.user, step=step)
        return Response({"progress": onboarding.progress(user)})


class OnboardingStepView(APIView):
    step: str

    def post(self, request):
        serializer_class = s.STEP_SERIALIZERS[self.step]
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.onboarding_save_step(user=request.user, step=self.step, data=serializer.validated_data)
        return Response({"progress": onboarding.progress(user), "data": serializer_class(_role_profile(user)).data})


def _for_role(view_class, role: str, name: str, **attrs):
    """A subclass of `view_class` only `role` may call, named for the schema."""
    return type(f"{role.title()}{name}", (view_class,), {"permission_classes": [ROLE_PERMISSIONS[role]], **attrs})


def progress_view(role: str):
    view = _for_role(OnboardingProgressView, role, "OnboardingProgressView")
    schema = extend_schema(
        tags=["onboarding"], summary=f"The {role}'s onboarding progress", responses=s.OnboardingProgressResultSerializer
    )
    return extend_schema_view(get=schema)(view).as_view()


def skip_view(role: str):
    view = _for_role(OnboardingSkipView, role, "OnboardingSkipView")
    schema = extend_schema(
        tags=["onboarding"],
        summary=f"Skip a {role} onboarding step",
        description="An unknown step answers 404. Skipping a completed step keeps it completed.",
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=onboarding.FLOWS[role])],
        request=None,
        responses=s.OnboardingProgressResultSerializer,
    )
    return extend_schema_view(put=schema)(view).as_view()


def step_view(role: str, step: str):
    name = f"{step.title()}StepView"
    view = _for_role(OnboardingStepView, role, name, step=step)
    serializer_class = s.STEP_SERIALIZERS[step]
    result = inline_serializer(
        f"{role.title()}{step.title()}StepResult",
        fields={"progress": s.OnboardingProgressSerializer(), "data": serializer_class()},
    )
    schema = extend_schema(
        tags=["onboarding"],
        summary=f"Save the {role}'s “{onboarding.TITLES[step]}” step",
        request=serializer_class,
        responses={200: OpenApiResponse(result, description="Progress and the saved fields of the step.")},
    )
    return extend_schema_view(post=schema)(view).as_view()
