/// The rules of a user's address book, applied by the decision before the
/// record is written: at most `IdentityLimits.addressesMax` addresses, and when
/// there is any, exactly one default (setting one unsets the other; deleting
/// the default promotes the newest remaining one).
public struct AddressBook: Sendable, Equatable {
    public private(set) var addresses: [Address]

    public init(addresses: [Address]) { self.addresses = addresses }

    /// What a new or edited address says; checked by `AddressInput.validated()`.
    public struct AddressInput: Sendable, Equatable {
        public var name: String
        public var phone: String
        public var provinceCode: String
        public var province: String
        public var cityCode: String
        public var city: String
        public var districtCode: String
        public var district: String
        public var detail: String
        public var isDefault: Bool

        public init(name: String, phone: String, provinceCode: String, province: String, cityCode: String, city: String,
                    districtCode: String, district: String, detail: String, isDefault: Bool) {
            (self.name, self.phone, self.provinceCode, self.province) = (name, phone, provinceCode, province)
            (self.cityCode, self.city, self.districtCode, self.district) = (cityCode, city, districtCode, district)
            (self.detail, self.isDefault) = (detail, isDefault)
        }
    }

    public enum Change: Sendable, Equatable {
        case add(AddressInput)
        case update(id: UInt64, AddressInput)
        case delete(id: UInt64)
        case setDefault(id: UInt64)
    }

    /// Applies `change`; `newID` names an added address.
    /// - Returns: the address added or changed (nil for a deletion).
    @discardableResult
    public mutating func apply(_ change: Change, newID: UInt64, nowMs: Int64) throws(EngineError) -> Address? {
        switch change {
        case .add(let input):
            guard addresses.count < IdentityLimits.addressesMax else {
                throw .conflict("at most \(IdentityLimits.addressesMax) addresses per user; delete one first")
            }
            let address = Address(input, id: newID, createdAtMs: nowMs, updatedAtMs: nowMs,
                                  isDefault: input.isDefault || addresses.isEmpty)
            if address.isDefault { clearDefault() }
            addresses.append(address)
            return address
        case .update(let id, let input):
            let index = try index(of: id)
            let wasDefault = addresses[index].isDefault
            let address = Address(input, id: id, createdAtMs: addresses[index].createdAtMs, updatedAtMs: nowMs,
                                  isDefault: input.isDefault || wasDefault)
            if address.isDefault && !wasDefault { clearDefault() }
            addresses[index] = address
            return address
        case .delete(let id):
            let removed = addresses.remove(at: try index(of: id))
            if removed.isDefault, let newest = addresses.indices.max(by: {
                (addresses[$0].createdAtMs, addresses[$0].id) < (addresses[$1].createdAtMs, addresses[$1].id) }) {
                addresses[newest].isDefault = true
            }
            return nil
        case .setDefault(let id):
            let index = try index(of: id)
            clearDefault()
            addresses[index].isDefault = true
            return addresses[index]
        }
    }

    private func index(of id: UInt64) throws(EngineError) -> Int {
        guard let index = addresses.firstIndex(where: { $0.id == id }) else { throw .notFound("address \(id)") }
        return index
    }

    private mutating func clearDefault() {
        for index in addresses.indices { addresses[index].isDefault = false }
    }
}

extension Address {
    init(_ input: AddressBook.AddressInput, id: UInt64, createdAtMs: Int64, updatedAtMs: Int64, isDefault: Bool) {
        self.init(id: id, name: input.name, phone: input.phone, provinceCode: input.provinceCode, province: input.province,
                  cityCode: input.cityCode, city: input.city, districtCode: input.districtCode, district: input.district,
                  detail: input.detail, isDefault: isDefault, createdAtMs: createdAtMs, updatedAtMs: updatedAtMs)
    }
}
