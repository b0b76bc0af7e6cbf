"""Back-office endpoints, one module per area (all behind the admin key)."""
