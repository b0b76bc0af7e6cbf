"""Tables read and written by raw SQL strings."""

from __future__ import annotations

import pytest

from analyzer.frameworks.sql import SqlTables, dynamic_table, looks_like_statement, tables


@pytest.mark.parametrize(("sql", "reads", "writes"), [
    ("SELECT * FROM orders", ("orders",), ()),
    ("select o.id from orders o join order_lines l on l.order_id = o.id left join products p on 1=1",
     ("order_lines", "orders", "products"), ()),
    ("SELECT a.x, b.y FROM accounts a, branches AS b WHERE a.id = b.id", ("accounts", "branches"), ()),
    ('SELECT * FROM "public"."orders" JOIN `shop`.`carts` c ON 1=1', ("carts", "orders"), ()),
    ("INSERT INTO audit_log (event) VALUES ('x')", (), ("audit_log",)),
    ("INSERT OR REPLACE INTO cache SELECT * FROM staging", ("staging",), ("cache",)),
    ("UPDATE stock SET n = (SELECT SUM(q) FROM lines WHERE lines.sku = stock.sku)", ("lines",), ("stock",)),
    ("UPDATE stock AS s SET reserved = 0", (), ("stock",)),
    ("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users)", ("users",), ("sessions",)),
    ("MERGE INTO totals t USING daily d ON t.id = d.id WHEN MATCHED THEN UPDATE SET n = d.n",
     ("daily",), ("totals",)),
    ("TRUNCATE TABLE scratch", (), ("scratch",)),
    # CTE names, functions taking FROM, sub-queries and system catalogues are not tables
    ("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent JOIN customers c ON 1=1",
     ("customers", "orders"), ()),
    ("SELECT EXTRACT(YEAR FROM placed_at), TRIM(LEADING '0' FROM code) FROM orders", ("orders",), ()),
    ("SELECT 1 FROM (SELECT * FROM inner_t) x", ("inner_t",), ()),
    ("SELECT * FROM json_each(payload)", (), ()),
    ("SELECT column_name FROM information_schema.columns JOIN pg_catalog.pg_class c ON 1=1", (), ()),
    # comments and string literals are blanked first
    ("SELECT 'FROM fake' AS t FROM real_table -- FROM commented\n", ("real_table",), ()),
    ("SELECT 1 /* JOIN hidden */ FROM shown", ("shown",), ()),
])
def test_tables(sql, reads, writes):
    assert tables(sql) == SqlTables(reads=reads, writes=writes)


def test_statement_shape_and_dynamic_tables():
    assert looks_like_statement("  (SELECT id FROM t)")
    assert looks_like_statement("\n  update t set a = 1")
    assert not looks_like_statement("Select the rows from the cache and delete from memory.")
    assert dynamic_table("SELECT * FROM {table} WHERE id = %s")
    assert dynamic_table("INSERT INTO %s VALUES (1)")
    assert not dynamic_table("SELECT * FROM orders WHERE id = %s")
    assert tables("SELECT * FROM {table}").empty


def test_a_name_glued_to_a_placeholder_is_no_table():
    # an f-string's text as the parser records it: ``{}`` where a value goes
    assert tables("SELECT MAX(id) FROM _unpartitioned_{}").empty
    assert dynamic_table("SELECT MAX(id) FROM _unpartitioned_{}")
    assert tables("SELECT * FROM {schema}.orders JOIN lines l ON 1=1") == SqlTables(reads=("lines",), writes=())
    assert tables("SELECT a FROM t WHERE j = {}") == SqlTables(reads=("t",), writes=())
