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
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func field(_ key: String, _ value: EntityID?) {
        guard let value else { return }
        field(key, String(value.value))
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
        bytes.append(UInt8(ascii: "\""))
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
