/// The v4 snapshot section: everything the catalog, stock and browsing work added
/// to the state, each part canonical (sorted by key) like the rest of the encoding.
extension EngineState {
    var hasCatalogSection: Bool {
        !catalog.categories.isEmpty || catalog.products.values.contains(where: \.hasExtras)
            || catalog.activities.values.contains(where: \.hasExtras) || inventory.contains { !$0.soldBySKU.isEmpty }
            || catalog.searchSettings != SearchSettings() || catalog.hotKeywords != HotKeywords()
            || users.contains { !$0.browsing.isEmpty }
    }

    func encodeCatalogSection(to writer: inout ByteWriter) {
        writer.write(catalog.categories.values.sorted { $0.id < $1.id }) { $1.encode(to: &$0) }
        writer.write(catalog.products.values.filter(\.hasExtras).sorted { $0.id < $1.id }) { w, product in
            w.write(product.id)
            product.details.encode(to: &w)
            w.write(product.skus) { ProductSaved.encode($1, to: &$0) }
        }
        writer.write(catalog.activities.values.filter(\.hasExtras).sorted { $0.id < $1.id }) { w, activity in
            w.write(activity.id); w.write(activity.drawsFromStock)
            w.write(activity.removedSKUs) { $0.write($1) }
        }
        writer.write(inventory.flatMap { $0.soldBySKU }.sorted { $0.key < $1.key }) { $0.write($1.key); $0.write($1.value) }
        let settings = catalog.searchSettings
        SearchSettingsChanged(synonymGroups: settings.synonymGroups, pinnedKeywords: settings.pinnedKeywords,
                              blockedKeywords: settings.blockedKeywords, operatorID: 0, atMs: 0).encode(to: &writer)
        catalog.hotKeywords.encode(to: &writer)
        writer.write(users.flatMap { $0.browsing.map { ($0.key, $0.value) } }.sorted { $0.0 < $1.0 }) { w, entry in
            w.write(entry.0); entry.1.encode(to: &w)
        }
    }

    mutating func decodeCatalogSection(from reader: inout ByteReader) throws(ByteDecodingError) {
        let categories = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Category(from: &r) }
        for category in categories { catalog.restore(category) }
        let products = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, ProductDetails, [Product.SKU]) in
            (try r.read(), try ProductDetails(from: &r),
             try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try ProductSaved.decodeSKU(from: &r) })
        }
        for (id, details, skus) in products {
            guard catalog.products[id] != nil else { throw .invalid("details of unknown product \(id)") }
            catalog.restore(details: details, skus: skus, of: id)
        }
        let activities = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, Bool, [UInt64]) in
            (try r.read(), try r.readBool(), try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.read() })
        }
        for (id, draws, removed) in activities {
            guard var activity = catalog.activities[id] else { throw .invalid("extras of unknown activity \(id)") }
            activity.drawsFromStock = draws
            activity.removedSKUs = removed
            catalog.activities[id] = activity
        }
        let sold = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, Int64) in (try r.read(), try r.read()) }
        for (skuID, units) in sold { inventory[ShardRouter.shard(of: skuID, count: shardCount)].soldBySKU[skuID] = units }
        let settings = try SearchSettingsChanged(from: &reader)
        catalog.searchSettings = SearchSettings(synonymGroups: settings.synonymGroups, pinnedKeywords: settings.pinnedKeywords,
                                                blockedKeywords: settings.blockedKeywords)
        catalog.hotKeywords = try HotKeywords(from: &reader)
        let browsing = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, UserBrowsing) in
            (try r.read(), try UserBrowsing(from: &r))
        }
        for (userID, entry) in browsing {
            let shard = ShardRouter.shard(of: userID, count: shardCount)
            guard users[shard].users[userID] != nil else { throw .invalid("browsing of unknown user \(userID)") }
            users[shard].browsing[userID] = entry
        }
    }
}
