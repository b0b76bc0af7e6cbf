"""Settings.

Values are plain class attributes so they can be loaded with ``app.config.from_object``.
Several settings are dotted paths resolved at run time (see ``shop.common.helpers.load_object``),
so swapping the payment gateway or the e-mail backend is a configuration change only.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any


class Config:
    DEBUG = False
    TESTING = False
    SECRET_KEY = os.environ.get("SHOP_SECRET_KEY", "change-me-in-production")
    ADMIN_API_KEY = os.environ.get("SHOP_ADMIN_KEY", "admin-dev-key")

    DATABASE_URL = os.environ.get("SHOP_DATABASE_URL", "sqlite+pysqlite:///:memory:")
    SQL_ECHO = False

    # Every module that declares mapped classes; imported by shop.db.init_db before create_all.
    MODEL_MODULES = (
        "shop.catalog.models",
        "shop.accounts.models",
        "shop.cart.models",
        "shop.orders.models",
        "shop.payments.models",
        "shop.shipping.models",
        "shop.promotions.models",
        "shop.notifications.models",
    )

    CURRENCY = "EUR"
    VAT_RATE = Decimal("0.19")
    FREE_SHIPPING_THRESHOLD = Decimal("75.00")
    DEFAULT_COUNTRY = "DE"

    PAYMENT_GATEWAY = "shop.payments.gateways.FakeGateway"
    CARD_GATEWAY = "shop.payments.gateways.ByCardGateway"
    CARD_GATEWAY_API_KEY = os.environ.get("SHOP_CARD_API_KEY", "sk_test_local")
    PAYMENT_CAPTURE_ON_PLACE = False

    EMAIL_SENDER = "shop.notifications.senders.EmailSender"
    SMS_SENDER = "shop.notifications.senders.SmsSender"
    EMAIL_FROM = "Shop <orders@shop.example>"
    SHIPPING_RATE_CALCULATOR = "shop.shipping.rates.TableRateCalculator"

    TASKS_ALWAYS_EAGER = False
    TASK_MAX_RETRIES = 2

    PASSWORD_HASH_ITERATIONS = 120_000
    TOKEN_TTL_SECONDS = 60 * 60 * 24

    PAGE_SIZE = 20
    MAX_PAGE_SIZE = 100


class DevelopmentConfig(Config):
    DEBUG = True
    SQL_ECHO = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    ADMIN_API_KEY = "test-admin"
    DATABASE_URL = "sqlite+pysqlite:///:memory:"
    PASSWORD_HASH_ITERATIONS = 1_000


class ProductionConfig(Config):
    DATABASE_URL = os.environ.get("SHOP_DATABASE_URL", "sqlite+pysqlite:///shop.db")
    PASSWORD_HASH_ITERATIONS = 310_000


CONFIGS = {
    "development": "shop.config.DevelopmentConfig",
    "testing": "shop.config.TestingConfig",
    "production": "shop.config.ProductionConfig",
}


def get_setting(name: str, default: Any = None) -> Any:
    """A setting from the running app, or the class default outside a request."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get(name, getattr(Config, name, default))
    return getattr(Config, name, default)
