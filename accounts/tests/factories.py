import factory
from allauth.account.models import EmailAddress

from accounts import services
from accounts.models import User

PASSWORD = "Str0ng-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    user_type = User.UserType.CREATOR
    status = User.Status.ACTIVE
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_profile(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=obj.email_verified)
        services.profile_ensure(user=obj)


class CreatorUserFactory(UserFactory):
    user_type = User.UserType.CREATOR


class BrandUserFactory(UserFactory):
    user_type = User.UserType.BRAND


class AgentFactory(UserFactory):
    user_type = User.UserType.AGENT
    is_staff = True
