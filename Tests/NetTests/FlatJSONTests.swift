import Foundation
import MallTestSupport
@testable import Net
import Testing

/// The purchase body's fast path (`FlatJSONObject`) must read exactly what
/// `JSONDecoder` reads, and leave everything else to it.
@Suite("Flat JSON fast path")
struct FlatJSONTests {
    static func fast(_ body: String) -> SeckillPurchaseRequest? {
        Array(body.utf8).withUnsafeBytes { FlatJSONObject($0).flatMap(SeckillPurchaseRequest.init(flat:)) }
    }

    static func slow(_ body: String) -> SeckillPurchaseRequest? {
        try? RequestJSON.decoder.decode(SeckillPurchaseRequest.self, from: Data(body.utf8))
    }

    @Test("the plain spellings a mini-program sends are read without JSONDecoder, to the same value")
    func plainBodies() throws {
        let bodies = [
            #"{"skuId":"115000000000000001","quantity":1}"#,
            #"{"quantity":3,"skuId":"7"}"#,
            #" { "skuId" : "42" } "#,
            "{\n\t\"skuId\": \"42\",\r\n\t\"quantity\": 12\n}",
            #"{"skuId":"0042","quantity":-0}"#,
            #"{"skuId":"9","quantity":-17}"#,
        ]
        for body in bodies {
            let fast = try #require(Self.fast(body), "fast path refused \(body)")
            let slow = try #require(Self.slow(body), "JSONDecoder refused \(body)")
            #expect(fast.skuId == slow.skuId && fast.quantity == slow.quantity, "\(body)")
        }
    }

    @Test("anything but the plainest spelling is left to JSONDecoder, valid or not")
    func otherBodiesFallBack() {
        let bodies = [
            #"{"skuId":"1","quantity":1.0}"#, #"{"skuId":"1","quantity":1e2}"#, #"{"skuId":"1","quantity":01}"#,
            #"{"skuId":"1","quantity":1234567890123456789}"#, #"{"skuId":"1","quantity":null}"#,
            #"{"skuId":"1","quantity":"1"}"#, #"{"skuId":"\u0031"}"#, #"{"skuId":"1","skuId":"2"}"#,
            #"{"skuId":"1","quantitiy":2}"#, #"{"skuId":1}"#, #"{"skuId":"1x"}"#, #"{"skuId":"商品"}"#,
            #"{"skuId":"1",}"#, #"{"skuId":"1"} x"#, #"["skuId"]"#, "", "{", #"{"skuId":"1""#, #"{"skuId":"1","quantity":-}"#,
            #"{"skuId":"1","quantity":true}"#, #"{"skuId":"1","extra":{"a":1}}"#, "{}", "\u{FEFF}{\"skuId\":\"1\"}",
        ]
        for body in bodies {
            #expect(Self.fast(body) == nil, "fast path took \(body)")
        }
    }

    @Test("fuzz: whenever the fast path reads a body, JSONDecoder reads the same value from it")
    func agreesWithJSONDecoder() async {
        let pieces = [#"""#, "{", "}", ":", ",", " ", "\n", "-", "0", "1", "9", ".", "e", "\\", "null", "true",
                      #""skuId""#, #""quantity""#, #""sku""#, #""12""#, #""0""#, "123456789012345678", "9999999999999999999"]
        var agreed = 0
        await fuzz("flat JSON", cases: 3_000, seed: 0xF1A7) { trial in
            var body: String
            if trial.chance(0.6) {
                // Near the real shape: a valid body, then a few edits.
                body = #"{"skuId":"\#(trial.int(0...999_999))","quantity":\#(trial.int(-5...20))}"#
                var bytes = Array(body.utf8)
                for _ in 0..<trial.int(0...3) where !bytes.isEmpty {
                    let at = trial.int(0...(bytes.count - 1))
                    let piece = Array(trial.pick(pieces).utf8)
                    switch trial.int(0...2) {
                    case 0: bytes.insert(contentsOf: piece, at: at)
                    case 1: bytes.remove(at: at)
                    default: bytes.replaceSubrange(at...at, with: piece)
                    }
                }
                body = String(decoding: bytes, as: UTF8.self)
            } else {
                body = (0..<trial.int(1...12)).map { _ in trial.pick(pieces) }.joined()
            }
            guard let fast = Self.fast(body) else { return }
            let slow = Self.slow(body)
            trial.expect(slow?.skuId == fast.skuId && slow?.quantity == fast.quantity,
                         "fast path read \(body) as \(fast), JSONDecoder as \(String(describing: slow))")
            agreed += 1
        }
        // The fuzz must reach the fast path, or it proves nothing.
        #expect(agreed > 500)
    }
}
