"""The shop application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from shop.common.validation import ShopError
from shop.config import CONFIGS, Config
from shop.db import init_db

log = logging.getLogger(__name__)


def create_app(config: str | type | None = None, **overrides: Any) -> Flask:
    """Build the app. ``config`` is a config class, a dotted path, or a name from ``CONFIGS``."""
    app = Flask(__name__)
    app.config.from_object(Config)
    if config is not None:
        app.config.from_object(CONFIGS.get(config, config) if isinstance(config, str) else config)
    app.config.update(overrides)

    init_db(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"], model_modules=app.config["MODEL_MODULES"])
    register_blueprints(app)
    register_error_handlers(app)
    app.after_request(run_background_tasks)
    app.add_url_rule("/health", "health", lambda: {"status": "ok"})
    return app


def register_blueprints(app: Flask) -> None:
    from shop.accounts.views import bp as accounts_bp
    from shop.admin.accounts_admin import bp as accounts_admin_bp
    from shop.admin.catalog_admin import bp as catalog_admin_bp
    from shop.admin.orders_admin import bp as orders_admin_bp
    from shop.cart.views import bp as cart_bp
    from shop.catalog.views import bp as catalog_bp
    from shop.notifications.views import bp as notifications_bp
    from shop.orders.views import bp as orders_bp
    from shop.payments.views import bp as payments_bp
    from shop.promotions.views import bp as promotions_bp
    from shop.reporting.views import bp as reporting_bp
    from shop.shipping.views import bp as shipping_bp

    app.register_blueprint(catalog_bp, url_prefix="/catalog")
    app.register_blueprint(accounts_bp, url_prefix="/accounts")
    app.register_blueprint(cart_bp, url_prefix="/cart")
    app.register_blueprint(orders_bp, url_prefix="/orders")
    app.register_blueprint(payments_bp, url_prefix="/payments")
    app.register_blueprint(shipping_bp, url_prefix="/shipping")
    app.register_blueprint(promotions_bp, url_prefix="/promotions")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(catalog_admin_bp, url_prefix="/admin/catalog")
    app.register_blueprint(orders_admin_bp, url_prefix="/admin/orders")
    app.register_blueprint(accounts_admin_bp, url_prefix="/admin/customers")
    app.register_blueprint(reporting_bp, url_prefix="/reports")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ShopError)
    def handle_shop_error(exc: ShopError):
        return exc.to_dict(), exc.status_code

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError):
        log.warning("integrity error: %s", exc.orig)
        return {"error": "conflict", "message": "the change conflicts with existing data"}, 409

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        return {"error": exc.name.lower().replace(" ", "_"), "message": exc.description}, exc.code or 500


def run_background_tasks(response: Response) -> Response:
    """Drain the in-process task queue once the request's own work is committed."""
    from shop.notifications.tasks import run_pending

    run_pending()
    return response
