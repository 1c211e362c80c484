"""Browser forms that validate through an API serializer, so every rule lives in one place.

`SerializerForm.clean` turns the POST into the serializer's input, validates it there and puts each
serializer error back on the form field it belongs to. The field helpers only carry raw values.
"""

from django import forms
from rest_framework.settings import api_settings


def raw_field(widget=forms.TextInput, *, label=None, help_text="", wide=False) -> forms.Field:
    """A field that carries the raw value; the serializer decides whether it is valid."""
    field = forms.Field(required=False, widget=widget, label=label, help_text=help_text)
    field.wide = wide  # spans both columns of the form grid
    return field


def select_field(vocabulary: dict[str, str], *, blank: str = "Choose…", **kwargs) -> forms.Field:
    return raw_field(forms.Select(choices=[("", blank), *vocabulary.items()]), **kwargs)


def chips_field(vocabulary: dict[str, str], **kwargs) -> forms.Field:
    return raw_field(forms.CheckboxSelectMultiple(choices=list(vocabulary.items())), wide=True, **kwargs)


def number_field(*, step: str = "1", **kwargs) -> forms.Field:
    return raw_field(forms.NumberInput(attrs={"step": step, "min": "0"}), **kwargs)


def _dig(data, path: tuple):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _put(payload: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        payload = payload.setdefault(key, {})
    payload[path[-1]] = value


def flatten_errors(errors, prefix: tuple = ()):
    """Yields (path, message) for every message in a DRF `serializer.errors` tree."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from flatten_errors(value, prefix if key == api_settings.NON_FIELD_ERRORS_KEY else (*prefix, key))
    elif isinstance(errors, list):
        for index, item in enumerate(errors):
            if isinstance(item, dict | list):
                yield from flatten_errors(item, (*prefix, index))
            else:
                yield prefix, str(item)


class SerializerForm(forms.Form):
    serializer_class: type = None
    partial = False
    paths: dict[str, tuple] = {}  # form field → where its value sits in the serializer's input
    comma_lists: tuple[str, ...] = ()  # text inputs that carry a comma-separated list

    def __init__(self, data=None, files=None, *, instance=None, context=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(data, files, **kwargs)
        self.fields.update(self.extra_fields())
        self.context = context or {}
        self.validated_data = None
        if instance is not None:
            self.initial = self.initial_from(instance)

    def extra_fields(self) -> dict[str, forms.Field]:
        return {}

    def path(self, name: str) -> tuple:
        return self.paths.get(name, (name,))

    def initial_from(self, instance) -> dict:
        """What is stored, as the API shows it."""
        data = self.serializer_class(instance).data
        initial = {name: _dig(data, self.path(name)) for name in self.fields}
        for name in self.comma_lists:
            initial[name] = ", ".join(initial[name] or [])
        return initial

    def payload(self) -> dict:
        payload = {}
        for name, value in self.cleaned_data.items():
            if name in self.comma_lists:
                value = [item.strip() for item in (value or "").split(",") if item.strip()]
            if value is None or value == "":
                continue
            _put(payload, self.path(name), value)
        return payload

    def field_for(self, path: tuple) -> str | None:
        """The form field an error at `path` belongs to: the one whose path is its longest prefix."""
        owners = [name for name in self.fields if path[: len(self.path(name))] == self.path(name)]
        return max(owners, key=lambda name: len(self.path(name)), default=None)

    def clean(self):
        cleaned = super().clean()
        serializer = self.serializer_class(data=self.payload(), partial=self.partial, context=self.context)
        if serializer.is_valid():
            self.validated_data = serializer.validated_data
        else:
            for path, message in flatten_errors(serializer.errors):
                self.add_error(self.field_for(path), message)
        return cleaned
