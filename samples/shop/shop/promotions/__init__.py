"""Coupons and discounts."""
