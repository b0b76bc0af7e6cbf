"""Payments: authorisation, capture and refunds through pluggable gateways."""
