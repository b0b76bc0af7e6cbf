"""Sales and stock reports (read-only SQL over the operational tables, plus one fix-up)."""
