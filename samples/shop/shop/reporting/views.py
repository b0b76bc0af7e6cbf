"""Report endpoints for the back office."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, request

from shop.common.helpers import admin_required, api_response, audit_log, request_actor, utcnow
from shop.common.validation import ValidationError
from shop.db import get_session
from shop.reporting import sales_report

bp = Blueprint("reporting", __name__)


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{name} must be YYYY-MM-DD", field=name) from None


@admin_required
def daily_sales_view():
    day = _date_arg("day", utcnow().date())
    with get_session() as session:
        return api_response(sales_report.daily_sales(session, day).to_dict())


bp.add_url_rule("/sales/daily", view_func=daily_sales_view, methods=["GET"])


@bp.route("/sales/range", methods=["GET"])
@admin_required
def sales_range():
    end = _date_arg("end", utcnow().date())
    start = _date_arg("start", end - timedelta(days=6))
    if start > end or (end - start).days > 92:
        raise ValidationError("range must be between 1 and 93 days")
    with get_session() as session:
        return api_response([d.to_dict() for d in sales_report.sales_for_range(session, start, end)])


@bp.route("/top-products", methods=["GET"])
@admin_required
def top_products():
    end = _date_arg("end", utcnow().date())
    start = _date_arg("start", end - timedelta(days=30))
    with get_session() as session:
        return api_response(sales_report.top_products(session, start=start, end=end,
                                                      limit=int(request.args.get("limit", 10))))


@bp.route("/categories", methods=["GET"])
@admin_required
def categories():
    with get_session() as session:
        return api_response(sales_report.revenue_by_category(session))


@bp.route("/customers/top", methods=["GET"])
@admin_required
def top_customers():
    with get_session() as session:
        return api_response(sales_report.top_customers(session, int(request.args.get("limit", 20))))


@bp.route("/coupons", methods=["GET"])
@admin_required
def coupons():
    with get_session() as session:
        return api_response(sales_report.coupon_usage(session))


@bp.route("/stock", methods=["GET"])
@admin_required
def stock():
    with get_session() as session:
        rows = sales_report.stock_report(session)
    if request.args.get("format") == "csv":
        return Response(sales_report.to_csv(rows), mimetype="text/csv")
    return api_response(rows)


@bp.route("/stock/reconcile", methods=["POST"])
@admin_required
def reconcile():
    with get_session() as session:
        touched = sales_report.reconcile_reservations(session)
        session.commit()
    audit_log(request_actor(), "stock.reconciled", rows=touched)
    return api_response({"rows": touched})
