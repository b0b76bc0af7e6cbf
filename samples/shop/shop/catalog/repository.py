"""Queries over the catalogue tables, kept out of the services."""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from shop.catalog.models import Category, Product, StockLevel


class ProductRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, product_id: int) -> Product | None:
        return self.session.get(Product, product_id)

    def get_by_sku(self, sku: str) -> Product | None:
        return self.session.scalar(select(Product).where(Product.sku == sku))

    def get_by_slug(self, slug: str) -> Product | None:
        return self.session.scalar(select(Product).where(Product.slug == slug))

    def get_many(self, product_ids: Sequence[int]) -> list[Product]:
        if not product_ids:
            return []
        stmt = select(Product).where(Product.id.in_(product_ids)).options(selectinload(Product.stock))
        return list(self.session.scalars(stmt))

    def search(self, text: str | None = None, *, category_id: int | None = None,
               active_only: bool = True) -> list[Product]:
        stmt = select(Product).options(selectinload(Product.stock))
        if active_only:
            stmt = stmt.where(Product.is_active.is_(True))
        if category_id is not None:
            stmt = stmt.where(Product.category_id == category_id)
        if text:
            pattern = f"%{text.lower()}%"
            stmt = stmt.where(or_(func.lower(Product.name).like(pattern), func.lower(Product.sku).like(pattern)))
        return list(self.session.scalars(stmt.order_by(Product.id)))

    def add(self, product: Product) -> Product:
        self.session.add(product)
        self.session.flush()
        return product

    def slug_exists(self, slug: str) -> bool:
        return self.session.scalar(select(func.count()).select_from(Product).where(Product.slug == slug)) > 0


class StockRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_product(self, product_id: int, *, create: bool = False) -> StockLevel | None:
        stock = self.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        if stock is None and create:
            stock = StockLevel(product_id=product_id, on_hand=0, reserved=0)
            self.session.add(stock)
            self.session.flush()
        return stock

    def low_stock(self) -> list[StockLevel]:
        stmt = select(StockLevel).where(StockLevel.on_hand - StockLevel.reserved <= StockLevel.reorder_point)
        return list(self.session.scalars(stmt))


class CategoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, category_id: int) -> Category | None:
        return self.session.get(Category, category_id)

    def get_by_slug(self, slug: str) -> Category | None:
        return self.session.scalar(select(Category).where(Category.slug == slug))

    def all(self) -> list[Category]:
        return list(self.session.scalars(select(Category).order_by(Category.position, Category.name)))

    def add(self, category: Category) -> Category:
        self.session.add(category)
        self.session.flush()
        return category
