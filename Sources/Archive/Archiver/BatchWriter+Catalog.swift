import Engine
import PostgresNIO

// The catalog's rows are upserts of whole row images: a product or category saved again replaces
// its row, so writing the image a batch holds twice (the batch retried after a failed commit)
// leaves the same row. What is not in the image is kept: `products.sales` and
// `product_skus.stock` are counters that move by deltas (BatchWriter+Statements.swift), and a
// row's `created_at` never changes. Each statement returns how many rows it wrote.
extension BatchWriter {
    func deleteCategories(_ ids: ArraySlice<UInt64>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                DELETE FROM categories WHERE id = ANY(\(ids.map(\.bigint))::bigint[])
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func upsertCategories(_ rows: ArraySlice<CategoryRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO categories (id, parent_id, name, icon, sort_order, enabled, attributes, created_at, updated_at)
                SELECT u.id, u.parent_id, u.name, u.icon, u.sort_order, u.enabled, u.attributes::jsonb,
                       to_timestamp(u.created_ms / 1000.0), to_timestamp(u.updated_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.parentID.bigint))::bigint[],
                            \(rows.map(\.name))::text[], \(rows.map(\.icon))::text[], \(rows.map(\.sortOrder))::integer[],
                            \(rows.map(\.enabled))::boolean[], \(rows.map(\.attributesJSON))::text[],
                            \(rows.map(\.createdAtMs))::bigint[], \(rows.map(\.updatedAtMs))::bigint[])
                     AS u(id, parent_id, name, icon, sort_order, enabled, attributes, created_ms, updated_ms)
                ON CONFLICT (id) DO UPDATE
                SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, icon = EXCLUDED.icon,
                    sort_order = EXCLUDED.sort_order, enabled = EXCLUDED.enabled, attributes = EXCLUDED.attributes,
                    updated_at = EXCLUDED.updated_at
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func upsertProducts(_ rows: ArraySlice<ProductRow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO products (id, name, category_id, description, main_image, status, subtitle, images, attributes,
                                      specs, detail_html, deleted, created_at, updated_at)
                SELECT u.id, u.name, NULLIF(u.category_id, 0), NULLIF(u.description, ''), NULLIF(u.main_image, ''), u.status,
                       u.subtitle, u.images::jsonb, u.attributes::jsonb, u.specs::jsonb, u.detail_html, u.deleted,
                       to_timestamp(u.created_ms / 1000.0), to_timestamp(u.updated_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.name))::text[], \(rows.map(\.categoryID.bigint))::bigint[],
                            \(rows.map(\.description))::text[], \(rows.map(\.mainImage))::text[], \(rows.map(\.status))::smallint[],
                            \(rows.map(\.subtitle))::text[], \(rows.map(\.imagesJSON))::text[], \(rows.map(\.attributesJSON))::text[],
                            \(rows.map(\.specsJSON))::text[], \(rows.map(\.detailHTML))::text[], \(rows.map(\.deleted))::boolean[],
                            \(rows.map(\.createdAtMs))::bigint[], \(rows.map(\.updatedAtMs))::bigint[])
                     AS u(id, name, category_id, description, main_image, status, subtitle, images, attributes, specs,
                          detail_html, deleted, created_ms, updated_ms)
                ON CONFLICT (id) DO UPDATE
                SET name = EXCLUDED.name, category_id = EXCLUDED.category_id, description = EXCLUDED.description,
                    main_image = EXCLUDED.main_image, status = EXCLUDED.status, subtitle = EXCLUDED.subtitle,
                    images = EXCLUDED.images, attributes = EXCLUDED.attributes, specs = EXCLUDED.specs,
                    detail_html = EXCLUDED.detail_html, deleted = EXCLUDED.deleted, updated_at = EXCLUDED.updated_at
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    /// Shelving and deletion of products archived earlier; their SKUs take the product's time, as
    /// when it is saved. A deleted product stays deleted and off the shelf.
    func patchProducts(_ rows: ArraySlice<ProductPatch>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH patch AS (
                SELECT * FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.onShelf))::boolean[],
                                     \(rows.map(\.deleted))::boolean[], \(rows.map(\.updatedAtMs))::bigint[])
                     AS u(id, on_shelf, deleted, updated_ms)),
            skus AS (
                UPDATE product_skus s SET updated_at = to_timestamp(patch.updated_ms / 1000.0)
                FROM patch WHERE s.product_id = patch.id
                RETURNING 1),
            written AS (
                UPDATE products p
                SET deleted = p.deleted OR patch.deleted,
                    status = CASE WHEN patch.on_shelf AND NOT (p.deleted OR patch.deleted) THEN 1 ELSE 0 END,
                    updated_at = to_timestamp(patch.updated_ms / 1000.0)
                FROM patch WHERE p.id = patch.id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    /// New SKUs get their opening stock; existing ones keep theirs (it moves by deltas).
    func upsertSKUs(_ rows: ArraySlice<SKURow>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                INSERT INTO product_skus (id, product_id, name, spec, price_fen, original_price_fen, stock, status,
                                          low_stock_threshold, created_at, updated_at)
                SELECT u.id, u.product_id, u.name, u.spec::jsonb, u.price_fen, NULLIF(u.original_price_fen, 0), u.stock,
                       u.status, u.low_stock_threshold, to_timestamp(u.created_ms / 1000.0), to_timestamp(u.updated_ms / 1000.0)
                FROM unnest(\(rows.map(\.id.bigint))::bigint[], \(rows.map(\.productID.bigint))::bigint[],
                            \(rows.map(\.name))::text[], \(rows.map { SpecJSON.object($0.spec) })::text[],
                            \(rows.map(\.priceFen))::bigint[], \(rows.map(\.originalPriceFen))::bigint[],
                            \(rows.map(\.stock))::bigint[], \(rows.map(\.status))::smallint[],
                            \(rows.map(\.lowStockThreshold))::bigint[], \(rows.map(\.createdAtMs))::bigint[],
                            \(rows.map(\.updatedAtMs))::bigint[])
                     AS u(id, product_id, name, spec, price_fen, original_price_fen, stock, status, low_stock_threshold,
                          created_ms, updated_ms)
                ON CONFLICT (id) DO UPDATE
                SET name = EXCLUDED.name, spec = EXCLUDED.spec, price_fen = EXCLUDED.price_fen,
                    original_price_fen = EXCLUDED.original_price_fen, status = EXCLUDED.status,
                    low_stock_threshold = EXCLUDED.low_stock_threshold, updated_at = EXCLUDED.updated_at
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }

    func removeSeckillItems(_ keys: ArraySlice<SeckillKey>, _ connection: PostgresConnection) async throws -> Int {
        try await count("""
            WITH written AS (
                UPDATE seckill_items s SET removed = true
                FROM unnest(\(keys.map(\.activityID.bigint))::bigint[], \(keys.map(\.skuID.bigint))::bigint[]) AS u(activity_id, sku_id)
                WHERE s.activity_id = u.activity_id AND s.sku_id = u.sku_id
                RETURNING 1)
            SELECT count(*) FROM written
            """, connection)
    }
}
