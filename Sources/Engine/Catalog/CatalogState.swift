public struct SeckillActivity: Sendable, Equatable {
    public var id: UInt64
    public var name: String
    public var startMs: Int64
    public var endMs: Int64
    public var items: [SeckillItemDefinition]
    public var createdAtMs: Int64
    /// Whether the items' units came out of their SKUs' stock (and go back when the sale ends).
    public var drawsFromStock = false
    /// Items taken off the sale, sorted: no longer sold, their unsold units back in stock.
    public var removedSKUs: [UInt64] = []

    public func item(skuID: UInt64) -> SeckillItemDefinition? {
        guard !removedSKUs.contains(skuID) else { return nil }
        return items.first { $0.skuID == skuID }
    }

    /// The items still on sale.
    public var liveItems: [SeckillItemDefinition] { items.filter { !removedSKUs.contains($0.skuID) } }

    public func isActive(atMs nowMs: Int64) -> Bool { nowMs >= startMs && nowMs < endMs }

    var hasExtras: Bool { drawsFromStock || !removedSKUs.isEmpty }
}

/// The admin's search settings. Validated in Net; kept verbatim here.
public struct SearchSettings: Sendable, Equatable {
    public var synonymGroups: [[String]] = []
    public var pinnedKeywords: [String] = []
    public var blockedKeywords: [String] = []

    public init() {}

    public init(synonymGroups: [[String]], pinnedKeywords: [String], blockedKeywords: [String]) {
        (self.synonymGroups, self.pinnedKeywords, self.blockedKeywords) = (synonymGroups, pinnedKeywords, blockedKeywords)
    }
}

public struct CatalogState: Sendable, Equatable {
    public private(set) var products: [UInt64: Product] = [:]
    public private(set) var productIDBySKU: [UInt64: UInt64] = [:]
    public internal(set) var activities: [UInt64: SeckillActivity] = [:]
    public internal(set) var categories: [UInt64: Category] = [:]
    /// Parent id (0: top level) -> child ids (derived from `categories`).
    public private(set) var categoryChildren: [UInt64: [UInt64]] = [:]
    /// Category id -> the products filed directly under it, deleted ones excluded (derived).
    public private(set) var productsByCategory: [UInt64: Set<UInt64>] = [:]
    public internal(set) var searchSettings = SearchSettings()
    public internal(set) var hotKeywords = HotKeywords()

    public init() {}

    public func sku(_ skuID: UInt64) -> (product: Product, sku: Product.SKU)? {
        guard let productID = productIDBySKU[skuID], let product = products[productID],
              let sku = product.skus.first(where: { $0.id == skuID }) else { return nil }
        return (product, sku)
    }

    /// Whether the storefront shows the product and sells it: on the shelf, not deleted, and
    /// filed in a visible category (products made before categories existed have none).
    public func isOnStorefront(_ product: Product) -> Bool {
        product.onShelf && (product.details.categoryID == 0 || categoryIsVisible(product.details.categoryID))
    }

    public mutating func apply(_ event: MallEvent) {
        switch event {
        case .productCreated(let created):
            let skus = created.skus.map { Product.SKU(id: $0.skuID, name: $0.name, spec: $0.spec, priceFen: $0.priceFen) }
            put(Product(id: created.productID, name: created.name, skus: skus, createdAtMs: created.atMs))
        case .productSaved(let saved):
            put(saved.product)
        case .productsShelved(let shelved):
            for id in shelved.productIDs {
                guard var product = products[id] else { continue }
                product.details.onShelf = shelved.onShelf
                product.details.updatedAtMs = shelved.atMs
                put(product)
            }
        case .productDeleted(let deleted):
            guard var product = products[deleted.productID] else { break }
            product.details.deleted = true
            product.details.onShelf = false
            product.details.updatedAtMs = deleted.atMs
            put(product)
        case .categorySaved(let saved):
            putCategory(saved.category)
        case .categoryDeleted(let deleted):
            guard let category = categories.removeValue(forKey: deleted.categoryID) else { break }
            categoryChildren[category.parentID]?.removeAll { $0 == category.id }
            if categoryChildren[category.parentID]?.isEmpty == true { categoryChildren[category.parentID] = nil }
        case .seckillActivityCreated(let created):
            activities[created.activityID] = SeckillActivity(
                id: created.activityID, name: created.name, startMs: created.startMs, endMs: created.endMs,
                items: created.items, createdAtMs: created.atMs, drawsFromStock: created.drawsFromStock)
        case .seckillStockMoved(let moved):
            guard moved.removesItem, var activity = activities[moved.activityID],
                  !activity.removedSKUs.contains(moved.skuID) else { break }
            activity.removedSKUs.append(moved.skuID)
            activity.removedSKUs.sort()
            activities[moved.activityID] = activity
        case .searchSettingsChanged(let changed):
            searchSettings = SearchSettings(synonymGroups: changed.synonymGroups, pinnedKeywords: changed.pinnedKeywords,
                                            blockedKeywords: changed.blockedKeywords)
            // A newly blocked keyword's counts go at once, so it cannot crowd real ones out.
            hotKeywords.removeBlocked(by: searchSettings.hotKeywordRules)
        case .searchRecorded(let recorded):
            hotKeywords.record(recorded.keyword, atMs: recorded.atMs, rules: searchSettings.hotKeywordRules)
        case .adminUpserted, .userRegistered, .seckillOrderPlaced, .orderPaid, .orderCancelled, .orderPlaced,
             .paymentExceptionRecorded, .sessionOpened, .sessionRefreshed, .sessionsRevoked, .userProfileChanged,
             .userStatusChanged, .userAddressesChanged, .adminChanged, .adminLockedOut, .auditRecorded, .stockAdjusted,
             .stockLow, .favoriteChanged, .productViewed, .historyCleared:
            break
        }
    }

    private mutating func put(_ product: Product) {
        if let previous = products[product.id] {
            productsByCategory[previous.details.categoryID]?.remove(product.id)
            if productsByCategory[previous.details.categoryID]?.isEmpty == true { productsByCategory[previous.details.categoryID] = nil }
        }
        products[product.id] = product
        for sku in product.skus { productIDBySKU[sku.id] = product.id }
        if !product.details.deleted { productsByCategory[product.details.categoryID, default: []].insert(product.id) }
    }

    private mutating func putCategory(_ category: Category) {
        if let previous = categories[category.id], previous.parentID != category.parentID {
            categoryChildren[previous.parentID]?.removeAll { $0 == category.id }
            if categoryChildren[previous.parentID]?.isEmpty == true { categoryChildren[previous.parentID] = nil }
        }
        if categories[category.id]?.parentID != category.parentID {
            categoryChildren[category.parentID, default: []].append(category.id)
            categoryChildren[category.parentID]?.sort()
        }
        categories[category.id] = category
    }

    /// Restores the parts a snapshot stores beyond the first layout.
    mutating func restore(details: ProductDetails, skus: [Product.SKU], of productID: UInt64) {
        guard var product = products[productID] else { return }
        product.details = details
        product.skus = skus
        put(product)
    }

    mutating func restore(_ category: Category) { putCategory(category) }
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
             .orderPlaced, .paymentExceptionRecorded, .userProfileChanged, .userStatusChanged, .userAddressesChanged,
             .categorySaved, .categoryDeleted, .productSaved, .productsShelved, .productDeleted, .stockAdjusted,
             .seckillStockMoved, .stockLow, .searchSettingsChanged, .searchRecorded, .favoriteChanged, .productViewed,
             .historyCleared:
            break
        }
    }
}
