"""What the chat pages share (influmojo.pages: the guards, the 404, a refusal on its form)."""

from influmojo.pages import or_404, refusal_to_form, role_required

__all__ = ["brand_required", "or_404", "refusal_to_form", "role_required"]

brand_required = role_required("brand", "Only brand accounts start conversations with creators.")
