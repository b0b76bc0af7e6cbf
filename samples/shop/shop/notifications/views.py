"""Back-office view of the outbox."""

from __future__ import annotations

from flask import Blueprint, request

from shop.common.helpers import admin_required, api_response
from shop.db import get_session
from shop.notifications import services, tasks

bp = Blueprint("notifications", __name__)


@bp.route("/messages", methods=["GET"])
@admin_required
def messages():
    with get_session() as session:
        rows = services.list_messages(
            session,
            recipient=request.args.get("recipient"),
            template=request.args.get("template"),
            limit=min(int(request.args.get("limit", 50)), 200),
        )
        return api_response([services.message_to_dict(m) for m in rows])


@bp.route("/queue", methods=["GET"])
@admin_required
def queue():
    return api_response([{"id": t.id, "name": t.name, "status": t.status} for t in tasks.pending()])
