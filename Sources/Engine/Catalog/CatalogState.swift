/// Products, SKUs and flash-sale activities: read-mostly, published as one
/// immutable value (see `PublishedState`), so product pages never wait behind writes.
public struct Product: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var skus: [SKU]
    public var createdAtMs: Int64

    public struct SKU: Sendable, Equatable {
        public var id: UInt64
        public var name: String
        public var spec: [SpecPair]
        public var priceFen: Int64
    }
}

public struct SeckillActivity: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var startMs: Int64
    public var endMs: Int64
    public var items: [SeckillItemDefinition]
    public var createdAtMs: Int64

    public func item(skuID: UInt64) -> SeckillItemDefinition? {
        items.first { $0.skuID == skuID }
    }

    public func isActive(atMs nowMs: Int64) -> Bool { nowMs >= startMs && nowMs < endMs }
}

public struct CatalogState: Sendable, Equatable {
    public private(set) var products: [UInt64: Product] = [:]
    public private(set) var productIDBySKU: [UInt64: UInt64] = [:]
    public private(set) var activities: [UInt64: SeckillActivity] = [:]

    public init() {}

    public func sku(_ skuID: UInt64) -> (product: Product, sku: Product.SKU)? {
        guard let productID = productIDBySKU[skuID], let product = products[productID],
              let sku = product.skus.first(where: { $0.id == skuID }) else { return nil }
        return (product, sku)
    }

    public mutating func apply(_ event: MallEvent) {
        switch event {
        case .productCreated(let created):
            let skus = created.skus.map { Product.SKU(id: $0.skuID, name: $0.name, spec: $0.spec, priceFen: $0.priceFen) }
            products[created.productID] = Product(id: created.productID, name: created.name, skus: skus, createdAtMs: created.atMs)
            for sku in skus { productIDBySKU[sku.id] = created.productID }
        case .seckillActivityCreated(let created):
            activities[created.activityID] = SeckillActivity(
                id: created.activityID, name: created.name, startMs: created.startMs, endMs: created.endMs,
                items: created.items, createdAtMs: created.atMs)
        case .adminUpserted, .userRegistered, .seckillOrderPlaced, .orderPaid, .orderCancelled, .orderPlaced,
             .paymentExceptionRecorded, .sessionOpened, .sessionRefreshed, .sessionsRevoked, .userProfileChanged, .userStatusChanged, .userAddressesChanged, .adminChanged, .adminLockedOut, .auditRecorded:
            break
        }
    }
}

/// Back-office accounts. Passwords arrive already hashed (bcrypt, in Net):
/// the engine never sees a password.
public struct Admin: Sendable, Equatable {
    public var id: UInt64
    public var username: String
    public var passwordHash: String
    public var role: String
    public var updatedAtMs: Int64
    /// Granted on top of the role's defaults, sorted.
    public var permissions: [String] = []
    public var enabled = true
    public var deleted = false
    public var createdAtMs: Int64 = 0
    public var lastLoginAtMs: Int64 = 0
    public var lastLoginIP = ""
    /// Logins are refused until then (too many failed attempts); 0 when not locked.
    public var lockedUntilMs: Int64 = 0
    public var sessions = SessionSet()

    public var account: AdminAccount {
        AdminAccount(id: id, username: username, passwordHash: passwordHash, role: role, permissions: permissions,
                     enabled: enabled, deleted: deleted, createdAtMs: createdAtMs)
    }

    public var effectivePermissions: Set<String> { account.effectivePermissions }

    public func canLogIn(atMs nowMs: Int64) -> Bool { enabled && !deleted && lockedUntilMs <= nowMs }

    /// Whether anything beyond the fields of the v1 snapshot layout is set.
    var hasIdentityExtras: Bool {
        !permissions.isEmpty || !enabled || deleted || createdAtMs != 0 || lastLoginAtMs != 0 || !lastLoginIP.isEmpty
            || lockedUntilMs != 0 || !sessions.isEmpty
    }
}

public struct SettingsState: Sendable, Equatable {
    public internal(set) var admins: [String: Admin] = [:]
    /// Admin id -> username (derived from `admins`).
    public internal(set) var adminUsernameByID: [UInt64: String] = [:]
    /// The newest audit entries, oldest first (between `IdentityLimits.auditEntriesMax` and twice that).
    public internal(set) var audit: [AuditEntry] = []

    public init() {}

    public mutating func apply(_ event: MallEvent) {
        switch event {
        case .adminUpserted(let upserted):
            var admin = admins[upserted.username] ?? Admin(
                id: upserted.adminID, username: upserted.username, passwordHash: upserted.passwordHash,
                role: upserted.role, updatedAtMs: upserted.atMs)
            admin.passwordHash = upserted.passwordHash
            admin.role = upserted.role
            admin.updatedAtMs = upserted.atMs
            put(admin)
        case .adminChanged, .adminLockedOut, .auditRecorded, .sessionOpened, .sessionRefreshed, .sessionsRevoked:
            _ = applyAdminEvent(event)
        case .userRegistered, .productCreated, .seckillActivityCreated, .seckillOrderPlaced, .orderPaid, .orderCancelled,
             .orderPlaced, .paymentExceptionRecorded, .userProfileChanged, .userStatusChanged, .userAddressesChanged:
            break
        }
    }
}
