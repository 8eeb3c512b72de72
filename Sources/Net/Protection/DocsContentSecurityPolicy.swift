import Crypto
import Foundation

/// The `Content-Security-Policy` of the `/docs` page, derived from the page.
///
/// `DocsPage` is one self-contained file: one inline `<style>`, one inline
/// `<script>` that fetches `/openapi.json` from this server, and a link to
/// it. So the policy allows exactly that: those two blocks by their SHA-256
/// (no `'unsafe-inline'`, so an injected script or style does not run),
/// `fetch` to this origin, and nothing else: no images, fonts, frames,
/// plugins, forms or `<base>`, and no framing of the page. The hashes are
/// computed from the page itself, so editing the page cannot leave a stale
/// policy behind; loading anything new from elsewhere needs this type changed.
enum DocsContentSecurityPolicy {
    static let value = policy(for: DocsPage.html)

    static func policy(for html: String) -> String {
        let scripts = inlineBlocks("script", in: html).map(sourceHash)
        let styles = inlineBlocks("style", in: html).map(sourceHash)
        return [
            "default-src 'none'",
            "script-src " + (scripts.isEmpty ? "'none'" : scripts.joined(separator: " ")),
            "style-src " + (styles.isEmpty ? "'none'" : styles.joined(separator: " ")),
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    /// The contents of every `<tag>…</tag>` written without attributes, as the
    /// browser hashes them: every character between the tags.
    static func inlineBlocks(_ tag: String, in html: String) -> [Substring] {
        var blocks: [Substring] = []
        var rest = html[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            blocks.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return blocks
    }

    /// `'sha256-<base64>'` of the block's UTF-8, the form CSP Level 2 hash sources take.
    static func sourceHash(_ block: Substring) -> String {
        "'sha256-" + Data(SHA256.hash(data: Array(block.utf8))).base64EncodedString() + "'"
    }
}
