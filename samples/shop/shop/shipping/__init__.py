"""Shipping: rate quotes, shipments and tracking."""
