"""Catalogue use cases: browsing, product maintenance, stock."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy.orm import Session

from shop.catalog.models import Category, Product, StockLevel
from shop.catalog.repository import CategoryRepository, ProductRepository, StockRepository
from shop.common.helpers import audit_log, format_price, isoformat, slugify, truncate
from shop.common.money import to_decimal
from shop.common.validation import ConflictError, NotFoundError, ValidationError, validate_amount, validate_sku

log = logging.getLogger(__name__)

SORTERS: dict[str, Callable[[Product], Any]] = {
    "price": lambda p: p.price,
    "-price": lambda p: -p.price,
    "name": lambda p: p.name.lower(),
    "newest": lambda p: -p.id,
}


class OutOfStock(ConflictError):
    code = "out_of_stock"


class CatalogService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = ProductRepository(session)
        self.stock = StockRepository(session)
        self.categories = CategoryRepository(session)

    # --- products ---------------------------------------------------------------------

    def get(self, product_id: int, *, active_only: bool = False) -> Product:
        product = self.repo.get(product_id)
        if product is None or (active_only and not product.is_active):
            raise NotFoundError(f"product {product_id} not found")
        return product

    def search(self, text: str | None = None, *, category_slug: str | None = None,
               sort: str = "name", max_price: Decimal | None = None) -> list[Product]:
        category_id = None
        if category_slug:
            category = self.categories.get_by_slug(category_slug)
            if category is None:
                raise NotFoundError(f"category {category_slug!r} not found")
            category_id = category.id
        products = self.repo.search(text, category_id=category_id)
        if max_price is not None:
            products = [p for p in products if p.price <= max_price]
        key = SORTERS.get(sort)
        if key is None:
            raise ValidationError(f"unknown sort {sort!r}; use one of {sorted(SORTERS)}", field="sort")
        return sorted(products, key=key)

    def create(self, data: dict[str, Any]) -> Product:
        sku = validate_sku(data["sku"])
        if self.repo.get_by_sku(sku) is not None:
            raise ConflictError(f"SKU {sku} already exists", field="sku")
        slug = self._unique_slug(data.get("slug") or data["name"])
        category_id = data.get("category_id")
        if category_id is not None and self.categories.get(int(category_id)) is None:
            raise NotFoundError(f"category {category_id} not found", field="category_id")
        product = Product(
            sku=sku,
            name=data["name"].strip(),
            slug=slug,
            description=data.get("description", ""),
            price=validate_amount(data["price"], field="price"),
            compare_at_price=to_decimal(data["compare_at_price"]) if data.get("compare_at_price") else None,
            weight_grams=int(data.get("weight_grams", 0)),
            category_id=category_id,
            is_active=bool(data.get("is_active", True)),
        )
        self.repo.add(product)
        self.stock.for_product(product.id, create=True)
        return product

    def update(self, product_id: int, changes: dict[str, Any]) -> Product:
        product = self.get(product_id)
        if "name" in changes:
            product.name = changes["name"].strip()
        if "price" in changes:
            product.price = validate_amount(changes["price"], field="price")
        if "description" in changes:
            product.description = changes["description"]
        if "is_active" in changes:
            product.is_active = bool(changes["is_active"])
        if "weight_grams" in changes:
            product.weight_grams = int(changes["weight_grams"])
        self.session.flush()
        return product

    def _unique_slug(self, text: str) -> str:
        base = slugify(text)
        slug, n = base, 1
        while self.repo.slug_exists(slug):
            n += 1
            slug = f"{base}-{n}"
        return slug

    # --- stock ------------------------------------------------------------------------

    def stock_for(self, product_id: int) -> StockLevel:
        stock = self.stock.for_product(product_id)
        if stock is None:
            raise NotFoundError(f"no stock record for product {product_id}")
        return stock

    def restock(self, product_id: int, quantity: int, *, reason: str = "delivery") -> StockLevel:
        if quantity <= 0:
            raise ValidationError("restock quantity must be positive", field="quantity")
        self.get(product_id)
        stock = self.stock.for_product(product_id, create=True)
        stock.on_hand += quantity
        self.session.flush()
        log.info("restocked product %s by %s (%s)", product_id, quantity, reason)
        return stock

    def reserve(self, product_id: int, quantity: int) -> StockLevel:
        stock = self.stock_for(product_id)
        if stock.available < quantity:
            product = self.get(product_id)
            raise OutOfStock(f"only {stock.available} of {product.sku} left", field="quantity")
        stock.reserved += quantity
        self.session.flush()
        return stock

    def fulfil(self, product_id: int, quantity: int) -> StockLevel:
        """Reserved units left the warehouse."""
        stock = self.stock_for(product_id)
        shipped = min(quantity, stock.reserved)
        stock.reserved -= shipped
        stock.on_hand = max(0, stock.on_hand - quantity)
        self.session.flush()
        return stock

    def release(self, product_id: int, quantity: int) -> StockLevel:
        stock = self.stock_for(product_id)
        stock.reserved = max(0, stock.reserved - quantity)
        self.session.flush()
        return stock

    # --- categories -------------------------------------------------------------------

    def create_category(self, name: str, *, parent_id: int | None = None, position: int = 0) -> Category:
        slug = slugify(name)
        if self.categories.get_by_slug(slug) is not None:
            raise ConflictError(f"category {slug!r} already exists", field="name")
        if parent_id is not None and self.categories.get(parent_id) is None:
            raise NotFoundError(f"parent category {parent_id} not found", field="parent_id")
        return self.categories.add(Category(name=name.strip(), slug=slug, parent_id=parent_id, position=position))


# --- module-level API used by the views and by other parts of the shop ---------------------

def get_product(session: Session, product_id: int) -> Product:
    return CatalogService(session).get(product_id)


def get_active_product(session: Session, product_id: int) -> Product:
    return CatalogService(session).get(product_id, active_only=True)


def search_products(session: Session, text: str | None = None, **filters: Any) -> list[Product]:
    return CatalogService(session).search(text, **filters)


def create_product(session: Session, data: dict[str, Any], *, actor: str = "system") -> Product:
    product = CatalogService(session).create(data)
    audit_log(actor, "product.created", product_id=product.id, sku=product.sku)
    return product


def update_product(session: Session, product_id: int, changes: dict[str, Any], *, actor: str = "system") -> Product:
    product = CatalogService(session).update(product_id, changes)
    audit_log(actor, "product.updated", product_id=product_id, fields=sorted(changes))
    return product


def create_category(session: Session, name: str, parent_id: int | None = None) -> Category:
    return CatalogService(session).create_category(name, parent_id=parent_id)


def list_categories(session: Session) -> list[Category]:
    return CategoryRepository(session).all()


def restock(session: Session, product_id: int, quantity: int, *, actor: str = "system") -> StockLevel:
    stock = CatalogService(session).restock(product_id, quantity)
    audit_log(actor, "stock.restocked", product_id=product_id, quantity=quantity, on_hand=stock.on_hand)
    return stock


def reserve_stock(session: Session, product_id: int, quantity: int) -> StockLevel:
    """Hold ``quantity`` units for an order being placed; raises OutOfStock."""
    return CatalogService(session).reserve(product_id, quantity)


def release_stock(session: Session, product_id: int, quantity: int) -> StockLevel:
    return CatalogService(session).release(product_id, quantity)


def fulfil_stock(session: Session, product_id: int, quantity: int) -> StockLevel:
    return CatalogService(session).fulfil(product_id, quantity)


def available_quantity(session: Session, product_id: int) -> int:
    stock = StockRepository(session).for_product(product_id)
    return stock.available if stock is not None else 0


def low_stock(session: Session) -> list[StockLevel]:
    return StockRepository(session).low_stock()


def product_to_dict(product: Product, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "price": str(product.price),
        "price_display": format_price(product.price),
        "on_sale": product.on_sale,
        "available": product.available,
        "category_id": product.category_id,
    }
    if detail:
        data.update(
            description=product.description,
            summary=truncate(product.description or "", 160),
            weight_grams=product.weight_grams,
            is_active=product.is_active,
            compare_at_price=str(product.compare_at_price) if product.compare_at_price else None,
            created_at=isoformat(product.created_at),
        )
    return data


def category_to_dict(category: Category) -> dict[str, Any]:
    return {"id": category.id, "name": category.name, "slug": category.slug,
            "parent_id": category.parent_id, "path": category.path()}


def stock_to_dict(stock: StockLevel) -> dict[str, Any]:
    return {"product_id": stock.product_id, "on_hand": stock.on_hand, "reserved": stock.reserved,
            "available": stock.available, "needs_reorder": stock.needs_reorder}
