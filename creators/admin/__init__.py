from . import calendar, packages, reviews, social  # noqa: F401  each registers its models
