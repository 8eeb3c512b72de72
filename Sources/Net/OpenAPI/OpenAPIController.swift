import Hummingbird

/// `/openapi.json` and `/docs`, public like `/healthz`. Both bodies are built
/// once; the page renders the document in the browser with no outside resource.
struct OpenAPIController {
    func addRoutes(to router: Router<MallRequestContext>) {
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: DocsPage.html)))
        }
    }
}
