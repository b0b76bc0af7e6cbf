"""Utilities shared by every part of the shop (money, validation, ids, misc helpers)."""
