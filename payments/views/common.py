"""What the payments pages share: their role guards and page size (influmojo.pages: the guards' shape, the 404, a
safe `next`)."""

from influmojo.pages import or_404, role_required, safe_next

__all__ = ["PER_PAGE", "brand_required", "creator_required", "or_404", "safe_next"]

PER_PAGE = 20


brand_required = role_required("brand", "Payments and saved cards are for brand accounts; creators see their money "
                                        "under Earnings.")
creator_required = role_required("creator", "Earnings and payouts are for creator accounts.")
