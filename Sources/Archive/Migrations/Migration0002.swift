/// Version 2: the catalog the back office edits (categories, product details, SKU extras) and a
/// stock log that names who moved stock and why.
///
/// - `categories` holds the engine's category tree as it is now: a deleted category's row is
///   deleted (the engine forgets it too; products keep its id in `category_id`). `parent_id` 0 is
///   the top level. `attributes` is `[{"name": ..., "options": [...]}]` in the admin's order.
/// - `products.status` is 1 on the shelf, 0 off it; `deleted` products stay (orders name them) and
///   are off the shelf. `images` is a JSON array of URLs; `attributes` is
///   `[{"key": ..., "value": ...}]` and `specs` `[{"name": ..., "values": [...]}]`, both in the
///   admin's order (a jsonb object would lose it).
/// - `product_skus.status` is 1 for a SKU on sale, 0 for one whose spec combination left the
///   product's matrix; `original_price_fen` is NULL when there is none; `low_stock_threshold` 0
///   turns alerts off.
/// - `seckill_items.stock` stays the units the sale was created with; units moved in or out later
///   show in `remaining`, and `removed` marks an item taken off the sale.
/// - `stock_logs.type` is one of `StockLogType` (ArchiveRows.swift); `operator_id` is the admin who
///   moved stock, NULL for orders and for moves the engine made itself (a sale's end).
extension ArchiveMigrations {
    static let v2 = ArchiveMigration(version: 2, name: "catalog", statements: [
        """
        CREATE TABLE IF NOT EXISTS categories (
            id bigint PRIMARY KEY,
            parent_id bigint NOT NULL DEFAULT 0,
            name text NOT NULL,
            icon text NOT NULL DEFAULT '',
            sort_order integer NOT NULL DEFAULT 0,
            enabled boolean NOT NULL DEFAULT true,
            attributes jsonb NOT NULL DEFAULT '[]',
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS categories_parent_id_idx ON categories (parent_id, sort_order, id)",
        """
        ALTER TABLE products
            ADD COLUMN IF NOT EXISTS subtitle text NOT NULL DEFAULT '',
            ADD COLUMN IF NOT EXISTS images jsonb NOT NULL DEFAULT '[]',
            ADD COLUMN IF NOT EXISTS attributes jsonb NOT NULL DEFAULT '[]',
            ADD COLUMN IF NOT EXISTS specs jsonb NOT NULL DEFAULT '[]',
            ADD COLUMN IF NOT EXISTS detail_html text NOT NULL DEFAULT '',
            ADD COLUMN IF NOT EXISTS deleted boolean NOT NULL DEFAULT false
        """,
        "CREATE INDEX IF NOT EXISTS products_category_id_idx ON products (category_id) WHERE category_id IS NOT NULL",
        "ALTER TABLE product_skus ADD COLUMN IF NOT EXISTS low_stock_threshold bigint NOT NULL DEFAULT 0",
        "ALTER TABLE seckill_items ADD COLUMN IF NOT EXISTS removed boolean NOT NULL DEFAULT false",
        "ALTER TABLE stock_logs ADD COLUMN IF NOT EXISTS operator_id bigint",
        "CREATE INDEX IF NOT EXISTS stock_logs_created_at_id_idx ON stock_logs (created_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS stock_logs_sku_id_created_at_id_idx ON stock_logs (sku_id, created_at DESC, id DESC)",
        "CREATE INDEX IF NOT EXISTS stock_logs_type_created_at_id_idx ON stock_logs (type, created_at DESC, id DESC)",
    ])
}
