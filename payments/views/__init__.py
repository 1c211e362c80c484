"""Payments pages (templates): a brand's payments and saved cards (brand.py), a creator's earnings and payouts
(creator.py), and what they share: charts, PDFs, role guards. payments/urls.py mounts their urlpatterns."""
