-- One seckill order attempt the way a plain PostgreSQL backend does it:
-- decrement the hot stock row and insert the order in one durable commit.
-- Used by `scripts/bench postgres` (pgbench -f); :uid is a random buyer.
\set uid random(1, 1000000)
BEGIN;
UPDATE bench_sku SET stock = stock - 1 WHERE id = 1 AND stock > 0;
INSERT INTO bench_order (sku, user_id) VALUES (1, :uid);
COMMIT;
