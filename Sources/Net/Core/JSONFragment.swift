/// Hand-written JSON for the few responses on the flash-sale hot path:
/// Foundation's JSONEncoder cost 13% of the server's CPU per purchase (perf,
/// see docs/benchmarks.md). A test checks that the output decodes to exactly
/// what JSONEncoder produces for the same value.
protocol JSONFragment: Sendable {
    func writeJSON(to writer: inout JSONFragmentWriter)
}

struct JSONFragmentWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func object(_ body: (inout JSONFragmentWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array<T>(_ key: String, _ items: [T], _ element: (inout JSONFragmentWriter, T) -> Void) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items {
            comma()
            element(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
        needsComma = true
    }

    mutating func field(_ key: String, _ value: Int64) {
        self.key(key)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        decimal(value.magnitude)
        needsComma = true
    }

    /// An id as a string of digits, written without making one.
    mutating func field(_ key: String, _ value: EntityID?) {
        guard let value else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        decimal(value.value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func decimal(_ value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 { digits += 1; rest /= 10 }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        rest = value
        for position in stride(from: start + digits - 1, through: start, by: -1) {
            bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    mutating func fragment(_ key: String, _ value: some JSONFragment) {
        self.key(key)
        value.writeJSON(to: &self)
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func comma() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = false
    }

    private mutating func key(_ key: String) {
        comma()
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// RFC 8259 string: quotes, backslashes and control characters escaped; other UTF-8 as is.
    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        let plain = value.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if !plain { escaped(value) }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escaped(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
    }
}

extension OrderResponse: JSONFragment {
    func writeJSON(to writer: inout JSONFragmentWriter) {
        writer.object { w in
            w.field("id", id); w.field("orderId", orderId); w.field("orderNo", orderNo); w.field("userId", userId)
            w.field("status", status); w.field("activityId", activityId)
            w.array("items", items) { w, item in
                w.object { w in
                    w.field("productId", item.productId); w.field("skuId", item.skuId)
                    w.field("productName", item.productName); w.field("skuName", item.skuName)
                    w.field("unitPriceFen", item.unitPriceFen); w.field("quantity", item.quantity)
                }
            }
            w.field("totalFen", totalFen); w.field("payAmountFen", payAmountFen)
            w.field("createdAt", createdAt); w.field("payDeadline", payDeadline); w.field("paidAt", paidAt)
            w.field("transactionId", transactionId); w.field("cancelledAt", cancelledAt); w.field("cancelReason", cancelReason)
        }
    }
}
