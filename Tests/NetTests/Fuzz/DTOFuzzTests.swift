import Engine
import Foundation
import MallTestSupport
@testable import Net
import Testing

/// One request DTO: its shape, and decode + `validated()` as a handler runs them.
struct DTOCase: Sendable {
    enum Outcome {
        /// Decoded and validated; `violations` lists what slipped through a bound.
        case accepted(violations: [String])
        case refused(any Error)
    }

    var name: String
    /// Swift type names this case covers (nested DTOs included).
    var types: [String]
    var shape: RequestShape
    var run: @Sendable (Data) -> Outcome
    /// Makes a `valid` instance keep the rules that span fields.
    var fixCrossFieldRules: @Sendable (inout FuzzJSON, inout SeededGenerator) -> Void = { _, _ in }

    static func outcome(_ body: () throws -> [String]) -> Outcome {
        do { return .accepted(violations: try body()) } catch { return .refused(error) }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try RequestJSON.decoder.decode(T.self, from: data)
    }
}

extension DTOCase {
    static let all: [DTOCase] = [wechatLogin, refresh, adminLogin, createProduct, createSeckill, purchase,
                                 createAdmin, updateAdmin, passwordChange, ban, profileUpdate, realName, address, addressParse,
                                 category, shelve, stockChange, searchSettings, presignUpload]

    static let wechatLogin = DTOCase(
        name: "WeChatLoginRequest", types: ["WeChatLoginRequest"],
        shape: .object([.init("code", .text(WeChatLoginRequest.codeRule)),
                        .init("phoneCode", .text(WeChatLoginRequest.codeRule), required: false)]),
        run: { data in
            outcome {
                let input = try decode(WeChatLoginRequest.self, data).validatedWithPhone()
                var violations = WeChatLoginRequest.codeRule.accepts(input.code) ? [] : ["code \(input.code)"]
                if let phoneCode = input.phoneCode, !WeChatLoginRequest.codeRule.accepts(phoneCode) { violations.append("phoneCode \(phoneCode)") }
                return violations
            }
        })

    static let refresh = DTOCase(
        name: "RefreshRequest", types: ["RefreshRequest"],
        shape: .object([.init("refreshToken", .text(RefreshRequest.tokenRule))]),
        run: { data in outcome { _ = try decode(RefreshRequest.self, data).validated(); return [] } })

    static let adminLogin = DTOCase(
        name: "AdminLoginRequest", types: ["AdminLoginRequest"],
        shape: .object([.init("username", .text(AdminLoginRequest.usernameRule)),
                        .init("password", .text(AdminLoginRequest.passwordRule))]),
        run: { data in
            outcome {
                let input = try decode(AdminLoginRequest.self, data).validated()
                return input.password.unicodeScalars.contains("\u{0}") ? ["password holds NUL"] : []
            }
        })

    static let createSeckill = DTOCase(
        name: "CreateSeckillActivityRequest", types: ["CreateSeckillActivityRequest", "Item"],
        shape: .object([
            .init("name", .text(CreateSeckillActivityRequest.nameRule)),
            .init("startTime", .time),
            .init("endTime", .time),
            .init("items", .array(.object([
                .init("skuId", .id),
                .init("seckillPriceFen", .integer(CreateSeckillActivityRequest.priceRule, isOptional: false)),
                .init("stock", .integer(CreateSeckillActivityRequest.stockRule, isOptional: false)),
                .init("limitPerUser", .integer(CreateSeckillActivityRequest.limitPerUserRule, isOptional: true), required: false),
            ]), counts: CreateSeckillActivityRequest.itemsRange)),
        ]),
        run: { data in
            outcome {
                let activity = try decode(CreateSeckillActivityRequest.self, data).validated()
                var violations: [String] = []
                if activity.endMs <= activity.startMs { violations.append("endMs <= startMs") }
                for item in activity.items {
                    if !MallLimits.priceFenRange.contains(item.seckillPriceFen) { violations.append("seckillPriceFen") }
                    if !MallLimits.stockRange.contains(item.stock) { violations.append("stock") }
                    if !MallLimits.limitPerUserRange.contains(item.limitPerUser) { violations.append("limitPerUser") }
                }
                if Set(activity.items.map(\.skuID)).count != activity.items.count { violations.append("repeated SKU") }
                return violations
            }
        },
        fixCrossFieldRules: { json, random in
            guard case .object(var members) = json else { return }
            for index in members.indices where members[index].key == "items" {
                guard case .array(let items) = members[index].value else { continue }
                members[index].value = .array(items.enumerated().map { offset, item in
                    guard case .object(var fields) = item else { return item }
                    for field in fields.indices where fields[field].key == "skuId" { fields[field].value = .string(String(offset + 1)) }
                    return .object(fields)
                })
            }
            let times = members.filter { $0.key == "startTime" || $0.key == "endTime" }.compactMap { member -> Int64? in
                if case .string(let text) = member.value { return APITime.parse(text) } else { return nil }
            }
            if times.count == 2, times[1] <= times[0] {
                for index in members.indices where members[index].key == "startTime" { members[index].value = .string("0000-01-01T00:00:00Z") }
                for index in members.indices where members[index].key == "endTime" { members[index].value = .string("9999-12-31T23:59:59Z") }
            }
            json = .object(members)
        })

    static let purchase = DTOCase(
        name: "SeckillPurchaseRequest", types: ["SeckillPurchaseRequest"],
        shape: .object([.init("skuId", .id),
                        .init("quantity", .integer(SeckillPurchaseRequest.quantityRule, isOptional: true), required: false)]),
        run: { data in
            outcome {
                let quantity = try decode(SeckillPurchaseRequest.self, data).validatedQuantity()
                return MallLimits.quantityRange.contains(quantity) ? [] : ["quantity \(quantity)"]
            }
        })
}

/// Serialized: the cases are CPU-bound, and the timing-sensitive suites that
/// share the test process (archiver catch-up, e2e) must not starve meanwhile.
@Suite("Request DTOs under fuzzing", .serialized)
struct DTOFuzzTests {
    /// Every outcome a handler could see: accepted within bounds, or refused as a 400.
    static func check(_ outcome: DTOCase.Outcome, _ label: @autoclosure () -> String) {
        switch outcome {
        case .accepted(let violations):
            #expect(violations.isEmpty, "accepted out of bounds: \(violations) — \(label())")
        case .refused(let error):
            switch error {
            case let error as APIError: #expect(error.code == .invalidInput, "\(error) — \(label())")
            case is DecodingError: break
            default: Issue.record("refused with \(type(of: error)) \(error), not a 400 — \(label())")
            }
        }
    }

    static func label(_ dto: DTOCase, seed: UInt64, index: Int, _ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(400), as: UTF8.self)
        return "\(dto.name) seed \(seed) case \(index): \(text)\(bytes.count > 400 ? "…" : "")"
    }

    @Test("random and mutated JSON is refused with a 400 or accepted within bounds, never a trap", arguments: DTOCase.all.map(\.name))
    func fuzz(name: String) async throws {
        let dto = try #require(DTOCase.all.first { $0.name == name })
        let seed = FuzzSeed.make("DTO \(name)")
        var random = SeededGenerator(seed: seed)
        let cases = FuzzSeed.cases(2_500)
        for index in 0..<cases {
            // Thousands of cases per DTO on a 2-thread cooperative pool: yield now and then, or
            // tests running beside this one (live servers answering HTTP) starve into timeouts.
            if index % 100 == 0 { await Task.yield() }
            let bytes: [UInt8]
            switch index % 10 {
            case 0: bytes = FuzzValues.mutateBytes(dto.shape.valid(&random).text, &random)
            case 1: bytes = Array(FuzzValues.anyJSON(&random).text.utf8)
            default: bytes = Array(dto.shape.fuzzed(&random, rate: random.pick([0.05, 0.2, 0.5])).text.utf8)
            }
            Self.check(dto.run(Data(bytes)), Self.label(dto, seed: seed, index: index, bytes))
        }
        for (index, depth) in [64, 512, 513, 10_000, 100_000].enumerated() {
            for object in [false, true] {
                let bytes = Array(FuzzValues.deepNesting(depth, object: object).utf8)
                Self.check(dto.run(Data(bytes)), Self.label(dto, seed: seed, index: -1 - index, bytes))
            }
        }
    }

    @Test("every request the rules allow passes validation", arguments: DTOCase.all.map(\.name))
    func validIsAccepted(name: String) async throws {
        let dto = try #require(DTOCase.all.first { $0.name == name })
        let seed = FuzzSeed.make("valid \(name)")
        var random = SeededGenerator(seed: seed)
        for index in 0..<FuzzSeed.cases(500) {
            if index % 100 == 0 { await Task.yield() }
            var json = dto.shape.valid(&random)
            dto.fixCrossFieldRules(&json, &random)
            let bytes = Array(json.text.utf8)
            switch dto.run(Data(bytes)) {
            case .accepted(let violations):
                #expect(violations.isEmpty, "\(violations) — \(Self.label(dto, seed: seed, index: index, bytes))")
            case .refused(let error):
                Issue.record("a valid request was refused: \(error) — \(Self.label(dto, seed: seed, index: index, bytes))")
            }
        }
    }

    @Test("every Decodable type in Sources/Net is one the fuzzer covers")
    func everyDTOIsFuzzed() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Net")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var declared = Set<String>()
        let pattern = try NSRegularExpression(pattern: #"(?:struct|enum|class)\s+(\w+)\s*:[^{]*\b(?:Decodable|Codable)\b"#)
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { declared.insert(String(text[range])) }
            }
        }
        // Not request bodies: ids are fuzzed inside every DTO that takes one, the rest are responses and JWT claims.
        let covered = Set(DTOCase.all.flatMap(\.types) + ["EntityID", "Empty", "FieldError", "Kind"])
        #expect(!declared.isEmpty)
        #expect(declared.subtracting(covered).isEmpty, "Decodable types without a fuzz case: \(declared.subtracting(covered).sorted())")
    }
}
