/// The `/docs` page: one self-contained HTML file (inline CSS and script, no
/// CDN, fonts or any outside URL) that fetches `/openapi.json` from the same
/// server and lists its routes, parameters, bodies, replies and codes.
enum DocsPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>mall API</title>
        <style>
        body { font: 14px/1.5 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
        header { background: #1d2433; color: #fff; padding: 16px 24px; }
        header h1 { margin: 0; font-size: 20px; }
        main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
        input[type=search] { width: 100%; padding: 8px; font-size: 14px; box-sizing: border-box; margin: 8px 0 16px; }
        h2 { border-bottom: 1px solid #d0d4dc; padding-bottom: 4px; margin-top: 32px; }
        details.op { background: #fff; border: 1px solid #d0d4dc; border-radius: 6px; margin: 8px 0; }
        details.op > summary { cursor: pointer; padding: 8px 12px; list-style: none; }
        details.op > div { padding: 0 12px 12px; }
        .method { display: inline-block; width: 56px; font-weight: 600; text-transform: uppercase; font-size: 12px; }
        .get { color: #0a6e31; } .post { color: #0b57a4; } .put, .patch { color: #8a5a00; } .delete { color: #a11; }
        .path { font-family: ui-monospace, monospace; }
        .lock { color: #8a5a00; font-size: 12px; margin-left: 8px; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; background: #fff; }
        th, td { border: 1px solid #e1e4ea; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #eef0f4; }
        code, pre { font-family: ui-monospace, monospace; font-size: 12px; }
        pre { background: #eef0f4; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
        .muted { color: #5b6475; }
        </style>
        </head>
        <body>
        <header><h1 id="title">mall API</h1><div id="version" class="muted"></div></header>
        <main>
        <p class="muted">Rendered from <a href="/openapi.json">/openapi.json</a>. Money is in integer fen; ids are strings; times are ISO-8601 UTC.</p>
        <input type="search" id="filter" placeholder="Filter routes, e.g. orders or seckill">
        <div id="routes">Loading /openapi.json ...</div>
        <h2>Codes</h2>
        <div id="codes"></div>
        </main>
        <script>
        "use strict";
        const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
        let spec = null;

        function resolve(schema) {
          let guard = 0;
          while (schema && schema.$ref && guard++ < 20) {
            const name = schema.$ref.split("/").pop();
            schema = spec.components.schemas[name];
          }
          return schema || {};
        }

        function typeOf(schema) {
          if (schema.$ref) return schema.$ref.split("/").pop();
          schema = resolve(schema);
          if (schema.anyOf) {
            const inner = schema.anyOf.filter((s) => s.type !== "null");
            return inner.map(typeOf).join(" | ") + (inner.length < schema.anyOf.length ? ", nullable" : "");
          }
          if (schema.type === "array") return typeOf(schema.items || {}) + "[]" + limits(schema);
          if (schema.enum) return (schema.type || "") + " (" + schema.enum.join(" | ") + ")";
          let type = schema.type || "object";
          if (schema["x-unit"] === "fen") type += " (fen)";
          else if (schema.format) type += " (" + schema.format + ")";
          return type + limits(schema);
        }

        // The rules validation enforces, as the schema states them.
        function limits(schema) {
          const parts = [];
          if (schema.minLength !== undefined || schema.maxLength !== undefined) parts.push((schema.minLength ?? 0) + ".." + (schema.maxLength ?? "") + " chars");
          if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push((schema.minimum ?? "") + ".." + (schema.maximum ?? ""));
          if (schema.minItems !== undefined || schema.maxItems !== undefined) parts.push((schema.minItems ?? 0) + ".." + (schema.maxItems ?? "") + " items");
          if (schema.maxProperties !== undefined) parts.push("at most " + schema.maxProperties + " entries");
          if (schema.pattern) parts.push("pattern " + schema.pattern);
          return parts.length ? " [" + parts.join("; ") + "]" : "";
        }

        function properties(schema, depth) {
          schema = resolve(schema);
          if (schema.type === "array") schema = resolve(schema.items || {});
          if (!schema.properties || depth > 3) return "";
          const required = new Set(schema.required || []);
          let rows = "";
          for (const [name, property] of Object.entries(schema.properties)) {
            const nested = properties(property, depth + 1);
            const inner = resolve(property);
            rows += "<tr><td><code>" + esc(name) + "</code>" + (required.has(name) ? " *" : "") + "</td><td>" + esc(typeOf(property)) +
              "</td><td>" + esc(inner.description || property.description || "") + (nested ? nested : "") + "</td></tr>";
          }
          return "<table><tr><th>field</th><th>type</th><th>meaning</th></tr>" + rows + "</table>";
        }

        function dataSchema(response) {
          const content = response && response.content && response.content["application/json"];
          if (!content) return null;
          const schema = content.schema || {};
          if (schema.allOf) {
            const part = schema.allOf.find((s) => s.properties && s.properties.data);
            if (part) return part.properties.data;
          }
          return schema;
        }

        function operationHTML(method, path, op) {
          let html = "<details class='op' data-search='" + esc((method + " " + path + " " + (op.summary || "") + " " + (op.tags || []).join(" ")).toLowerCase()) + "'>";
          const secured = op.security && op.security.length ? Object.keys(op.security[0])[0] : "";
          html += "<summary><span class='method " + esc(method) + "'>" + esc(method) + "</span><span class='path'>" + esc(path) +
            "</span> &nbsp; " + esc(op.summary || "") + (secured ? "<span class='lock'>" + esc(secured) + "</span>" : "") + "</summary><div>";
          if (op.description) html += "<p>" + esc(op.description) + "</p>";
          if (op.parameters && op.parameters.length) {
            html += "<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr>";
            for (const p of op.parameters) {
              html += "<tr><td><code>" + esc(p.name) + "</code>" + (p.required ? " *" : "") + "</td><td>" + esc(p.in) + "</td><td>" +
                esc(typeOf(p.schema || {})) + "</td><td>" + esc(p.description || "") + "</td></tr>";
            }
            html += "</table>";
          }
          const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
          if (body) html += "<h4>Request body (JSON)</h4>" + (properties(body.schema, 0) || "<p>" + esc(resolve(body.schema).description || "object") + "</p>");
          html += "<h4>Responses</h4><table><tr><th>status</th><th>meaning</th></tr>";
          for (const [status, response] of Object.entries(op.responses || {})) {
            const resolved = response.$ref ? spec.components.responses[response.$ref.split("/").pop()] : response;
            html += "<tr><td>" + esc(status) + "</td><td>" + esc(resolved.description || "");
            const data = status.startsWith("2") ? dataSchema(resolved) : null;
            if (data) html += "<div class='muted'>data: " + esc(typeOf(data)) + "</div>" + properties(data, 0);
            html += "</td></tr>";
          }
          return html + "</table></div></details>";
        }

        function render() {
          document.getElementById("title").textContent = spec.info.title;
          document.getElementById("version").textContent = "version " + spec.info.version + " \\u00b7 OpenAPI " + spec.openapi;
          const byTag = new Map((spec.tags || []).map((t) => [t.name, {tag: t, ops: []}]));
          for (const [path, item] of Object.entries(spec.paths)) {
            for (const [method, op] of Object.entries(item)) {
              const tag = (op.tags || ["other"])[0];
              if (!byTag.has(tag)) byTag.set(tag, {tag: {name: tag}, ops: []});
              byTag.get(tag).ops.push(operationHTML(method, path, op));
            }
          }
          let html = "";
          for (const {tag, ops} of byTag.values()) {
            if (!ops.length) continue;
            html += "<section><h2>" + esc(tag.name) + "</h2><p class='muted'>" + esc(tag.description || "") + "</p>" + ops.join("") + "</section>";
          }
          document.getElementById("routes").innerHTML = html;
          const codes = (spec.components.schemas.APICode || {})["x-codes"] || [];
          document.getElementById("codes").innerHTML = "<table><tr><th>code</th><th>HTTP</th><th>message</th><th>meaning</th></tr>" +
            codes.map((c) => "<tr><td>" + esc(c.code) + "</td><td>" + esc(c.httpStatus) + "</td><td>" + esc(c.message) + "</td><td>" + esc(c.meaning) + "</td></tr>").join("") + "</table>";
        }

        document.getElementById("filter").addEventListener("input", (event) => {
          const needle = event.target.value.trim().toLowerCase();
          for (const op of document.querySelectorAll("details.op")) op.style.display = op.dataset.search.includes(needle) ? "" : "none";
        });

        fetch("/openapi.json").then((r) => r.json()).then((json) => { spec = json; render(); })
          .catch((error) => { document.getElementById("routes").textContent = "Could not load /openapi.json: " + error; });
        </script>
        </body>
        </html>
        """
}
