/// Version 1: the relational archive of what the engine holds after the
/// foundation issue, after the seed's design (money in fen as bigint, times
/// as timestamptz, ids as the engine's 64-bit ids). Later issues add versions;
/// a version, once released, is never edited.
///
/// Provenance: rows written by the archiver carry the LSN of the record they come from. Rows that
/// `ArchiveMaintenance.rebuild` reconstructs from a snapshot's state have none: their
/// order_status_history rows use lsn -2 (creation) and -1 (the status at the snapshot), and their
/// payments rows have lsn NULL.
extension ArchiveMigrations {
    static let v1 = ArchiveMigration(version: 1, name: "foundation", statements: [
        """
        CREATE TABLE archive_checkpoint (
            id smallint PRIMARY KEY CHECK (id = 1),
            lsn bigint NOT NULL,
            record_time timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        "INSERT INTO archive_checkpoint (id, lsn) VALUES (1, 0)",
        """
        CREATE TABLE admins (
            id bigint PRIMARY KEY,
            username text NOT NULL UNIQUE,
            role text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE users (
            id bigint PRIMARY KEY,
            openid text NOT NULL UNIQUE,
            unionid text,
            nickname text,
            avatar text,
            phone text,
            gender smallint NOT NULL DEFAULT 0,
            level integer NOT NULL DEFAULT 1,
            points bigint NOT NULL DEFAULT 0,
            status smallint NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX users_created_at_idx ON users (created_at)",
        """
        CREATE TABLE products (
            id bigint PRIMARY KEY,
            name text NOT NULL,
            category_id bigint,
            description text,
            main_image text,
            status smallint NOT NULL DEFAULT 1,
            sales bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE product_skus (
            id bigint PRIMARY KEY,
            product_id bigint NOT NULL REFERENCES products (id),
            name text NOT NULL,
            spec jsonb NOT NULL DEFAULT '{}',
            price_fen bigint NOT NULL,
            original_price_fen bigint,
            stock bigint NOT NULL CHECK (stock >= 0),
            status smallint NOT NULL DEFAULT 1,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX product_skus_product_id_idx ON product_skus (product_id)",
        """
        CREATE TABLE seckill_activities (
            id bigint PRIMARY KEY,
            name text NOT NULL,
            start_time timestamptz NOT NULL,
            end_time timestamptz NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE seckill_items (
            activity_id bigint NOT NULL REFERENCES seckill_activities (id),
            sku_id bigint NOT NULL REFERENCES product_skus (id),
            seckill_price_fen bigint NOT NULL,
            stock bigint NOT NULL,
            remaining bigint NOT NULL CHECK (remaining >= 0),
            sold bigint NOT NULL CHECK (sold >= 0),
            limit_per_user bigint NOT NULL,
            PRIMARY KEY (activity_id, sku_id)
        )
        """,
        """
        CREATE TABLE orders (
            id bigint PRIMARY KEY,
            order_no text NOT NULL UNIQUE,
            user_id bigint NOT NULL REFERENCES users (id),
            activity_id bigint,
            status text NOT NULL,
            total_amount_fen bigint NOT NULL,
            discount_amount_fen bigint NOT NULL DEFAULT 0,
            freight_fen bigint NOT NULL DEFAULT 0,
            pay_amount_fen bigint NOT NULL,
            payment_status text NOT NULL DEFAULT 'unpaid',
            payment_method text,
            transaction_id text,
            cancel_reason text,
            remark text,
            pay_deadline timestamptz NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            paid_at timestamptz,
            shipped_at timestamptz,
            completed_at timestamptz,
            cancelled_at timestamptz
        )
        """,
        "CREATE INDEX orders_created_at_id_idx ON orders (created_at DESC, id DESC)",
        "CREATE INDEX orders_status_created_at_idx ON orders (status, created_at DESC)",
        "CREATE INDEX orders_user_id_created_at_idx ON orders (user_id, created_at DESC)",
        "CREATE INDEX orders_pay_amount_idx ON orders (pay_amount_fen)",
        "CREATE INDEX orders_activity_id_idx ON orders (activity_id) WHERE activity_id IS NOT NULL",
        """
        CREATE TABLE order_items (
            order_id bigint NOT NULL REFERENCES orders (id),
            line_no integer NOT NULL,
            product_id bigint NOT NULL,
            sku_id bigint NOT NULL,
            product_name text NOT NULL,
            sku_name text NOT NULL,
            spec jsonb NOT NULL DEFAULT '{}',
            price_fen bigint NOT NULL,
            quantity bigint NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (order_id, line_no)
        )
        """,
        "CREATE INDEX order_items_product_id_idx ON order_items (product_id)",
        "CREATE INDEX order_items_sku_id_idx ON order_items (sku_id)",
        """
        CREATE TABLE order_status_history (
            order_id bigint NOT NULL REFERENCES orders (id),
            lsn bigint NOT NULL,
            from_status text,
            to_status text NOT NULL,
            reason text,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (order_id, lsn)
        )
        """,
        """
        CREATE TABLE payments (
            id bigserial PRIMARY KEY,
            order_id bigint NOT NULL REFERENCES orders (id),
            transaction_id text NOT NULL,
            method text NOT NULL DEFAULT 'wechat',
            amount_fen bigint NOT NULL,
            status text NOT NULL,
            paid_at timestamptz NOT NULL,
            lsn bigint UNIQUE
        )
        """,
        "CREATE INDEX payments_order_id_idx ON payments (order_id)",
        "CREATE INDEX payments_transaction_id_idx ON payments (transaction_id)",
        """
        CREATE TABLE stock_logs (
            id bigserial PRIMARY KEY,
            lsn bigint NOT NULL,
            sku_id bigint NOT NULL,
            activity_id bigint NOT NULL DEFAULT 0,
            order_id bigint,
            change bigint NOT NULL,
            type text NOT NULL,
            remark text,
            created_at timestamptz NOT NULL,
            UNIQUE (lsn, sku_id, activity_id)
        )
        """,
        "CREATE INDEX stock_logs_sku_id_created_at_idx ON stock_logs (sku_id, created_at)",
    ])
}
