"""Product catalogue: categories, products and stock levels."""
