"""Account use cases."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.accounts.auth import hash_password, issue_token, verify_password
from shop.accounts.models import Address, Customer
from shop.common.helpers import audit_log, isoformat, mask_email, normalise_phone, utcnow
from shop.common.validation import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
    require_fields,
    validate_email,
    validate_password,
    validate_postal_code,
)


def register_customer(session: Session, data: Mapping[str, Any]) -> Customer:
    data = require_fields(data, "email", "password", "full_name")
    email = validate_email(data["email"])
    if find_customer_by_email(session, email) is not None:
        raise ConflictError("an account with this e-mail already exists", field="email")
    customer = Customer(
        email=email,
        full_name=" ".join(str(data["full_name"]).split()),
        password_hash=hash_password(validate_password(data["password"])),
        phone=normalise_phone(data.get("phone"), data.get("country", "DE")),
        marketing_opt_in=bool(data.get("marketing_opt_in", False)),
    )
    session.add(customer)
    session.flush()
    audit_log("customer", "customer.registered", customer_id=customer.id, email=mask_email(email))
    return customer


def authenticate(session: Session, email: str, password: str) -> tuple[Customer, str]:
    customer = find_customer_by_email(session, validate_email(email))
    if customer is None or not verify_password(password, customer.password_hash):
        raise AuthenticationError("wrong e-mail or password")
    if not customer.is_active:
        raise AuthenticationError("account disabled")
    customer.last_login_at = utcnow()
    return customer, issue_token(customer.id)


def find_customer_by_email(session: Session, email: str) -> Customer | None:
    return session.scalar(select(Customer).where(func.lower(Customer.email) == email.lower()))


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError(f"customer {customer_id} not found")
    return customer


def get_customer_contact(session: Session, customer_id: int) -> dict[str, Any]:
    """What other parts of the shop need to reach a customer."""
    customer = get_customer(session, customer_id)
    return {
        "customer_id": customer.id,
        "name": customer.full_name,
        "first_name": customer.first_name,
        "email": customer.email,
        "phone": customer.phone,
        "marketing_opt_in": customer.marketing_opt_in,
    }


def update_profile(session: Session, customer_id: int, changes: Mapping[str, Any]) -> Customer:
    customer = get_customer(session, customer_id)
    if "full_name" in changes:
        customer.full_name = " ".join(str(changes["full_name"]).split())
    if "phone" in changes:
        customer.phone = normalise_phone(changes["phone"])
    if "marketing_opt_in" in changes:
        customer.marketing_opt_in = bool(changes["marketing_opt_in"])
    if "password" in changes:
        customer.password_hash = hash_password(validate_password(changes["password"]))
    session.flush()
    return customer


def add_address(session: Session, customer_id: int, data: Mapping[str, Any]) -> Address:
    require_fields(data, "line1", "city", "postal_code")
    customer = get_customer(session, customer_id)
    address = Address.from_dict(customer.id, {"recipient": customer.full_name, **data})
    address.postal_code = validate_postal_code(address.country, address.postal_code)
    if address.is_default or not customer.addresses:
        for other in customer.addresses:
            other.is_default = False
        address.is_default = True
    customer.addresses.append(address)
    session.flush()
    return address


def list_addresses(session: Session, customer_id: int) -> list[Address]:
    return list(get_customer(session, customer_id).addresses)


def get_address(session: Session, customer_id: int, address_id: int) -> Address:
    address = session.get(Address, address_id)
    if address is None or address.customer_id != customer_id:
        raise NotFoundError(f"address {address_id} not found")
    return address


def get_shipping_address(session: Session, customer_id: int, address_id: int | None = None) -> dict[str, Any]:
    """The address to ship to, as a plain snapshot (explicit one, else the default)."""
    if address_id is not None:
        address = get_address(session, customer_id, address_id)
    else:
        address = get_customer(session, customer_id).default_address
        if address is None:
            raise ValidationError("add a shipping address first", field="address_id")
    return address_to_dict(address)


def deactivate_customer(session: Session, customer_id: int, *, actor: str = "admin") -> Customer:
    customer = get_customer(session, customer_id)
    customer.is_active = False
    audit_log(actor, "customer.deactivated", customer_id=customer_id)
    return customer


def list_customers(session: Session, *, active: bool | None = None, search: str | None = None) -> list[Customer]:
    stmt = select(Customer).order_by(Customer.id)
    if active is not None:
        stmt = stmt.where(Customer.is_active.is_(active))
    if search:
        pattern = f"%{search.lower()}%"
        stmt = stmt.where(func.lower(Customer.email).like(pattern) | func.lower(Customer.full_name).like(pattern))
    return list(session.scalars(stmt))


def customer_to_dict(customer: Customer, *, private: bool = True) -> dict[str, Any]:
    data = {
        "id": customer.id,
        "full_name": customer.full_name,
        "email": customer.email if private else mask_email(customer.email),
        "is_active": customer.is_active,
        "created_at": isoformat(customer.created_at),
    }
    if private:
        data["phone"] = customer.phone
        data["marketing_opt_in"] = customer.marketing_opt_in
    return data


def address_to_dict(address: Address) -> dict[str, Any]:
    return {
        "id": address.id,
        "label": address.label,
        "recipient": address.recipient,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "is_default": address.is_default,
    }
