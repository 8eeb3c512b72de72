/// Builders for the pieces of the OpenAPI document, so each schema and
/// operation reads as one short declaration.
enum OpenAPISchema {
    static func ref(_ name: String) -> OpenAPIValue {
        .object([.init(key: "$ref", value: .string("#/components/schemas/\(name)"))])
    }

    static func string(_ description: String, example: String? = nil) -> OpenAPIValue {
        var members: [OpenAPIValue.Member] = [.init(key: "type", value: "string"), .init(key: "description", value: .string(description))]
        if let example { members.append(.init(key: "example", value: .string(example))) }
        return .object(members)
    }

    static func integer(_ description: String) -> OpenAPIValue {
        ["type": "integer", "format": "int64", "description": .string(description)]
    }

    static func number(_ description: String) -> OpenAPIValue {
        ["type": "number", "format": "double", "description": .string(description)]
    }

    static func boolean(_ description: String) -> OpenAPIValue {
        ["type": "boolean", "description": .string(description)]
    }

    /// Money: always an integer number of fen.
    static func fen(_ description: String) -> OpenAPIValue {
        ["type": "integer", "format": "int64", "x-unit": "fen",
         "description": .string(description + " Integer number of fen (1 yuan = 100 fen), never a decimal.")]
    }

    /// Ids travel as decimal strings: 64-bit values lose precision as JSON numbers in JavaScript.
    static func id(_ description: String) -> OpenAPIValue {
        EntityID.schema(description)
    }

    static func time(_ description: String) -> OpenAPIValue {
        ["type": "string", "format": "date-time", "description": .string(description + " ISO-8601, UTC."),
         "example": "2026-11-27T02:00:00.000Z"]
    }

    static func enumeration(_ values: [String], _ description: String) -> OpenAPIValue {
        ["type": "string", "enum": .array(values.map(OpenAPIValue.string)), "description": .string(description)]
    }

    static func array(_ items: OpenAPIValue, _ description: String = "") -> OpenAPIValue {
        description.isEmpty ? ["type": "array", "items": items] : ["type": "array", "items": items, "description": .string(description)]
    }

    static func map(_ description: String) -> OpenAPIValue {
        ["type": "object", "additionalProperties": ["type": "string"], "description": .string(description)]
    }

    /// A string-to-string map as a request takes it: keys and values each keep a rule.
    static func map(_ description: String, keys: TextRule, values: TextRule, entriesMax: Int) -> OpenAPIValue {
        ["type": "object", "maxProperties": .integer(entriesMax), "propertyNames": keys.schema("A key."),
         "additionalProperties": values.schema("A value."), "description": .string(description)]
    }

    /// `schema` or null (OpenAPI 3.1: JSON Schema's `null` type).
    static func nullable(_ schema: OpenAPIValue) -> OpenAPIValue {
        ["anyOf": [schema, ["type": "null"]]]
    }

    /// An array whose length the request validation bounds.
    static func array(_ items: OpenAPIValue, _ description: String, counts: ClosedRange<Int>) -> OpenAPIValue {
        ["type": "array", "items": items, "minItems": .integer(counts.lowerBound), "maxItems": .integer(counts.upperBound),
         "description": .string(description)]
    }

    /// An object schema; `required` lists the properties always present. A
    /// closed object (every request body) refuses properties it does not list.
    static func object(_ description: String, required: [String] = [], closed: Bool = false,
                       _ properties: KeyValuePairs<String, OpenAPIValue>) -> OpenAPIValue {
        var members: [OpenAPIValue.Member] = [.init(key: "type", value: "object")]
        if !description.isEmpty { members.append(.init(key: "description", value: .string(description))) }
        if !required.isEmpty { members.append(.init(key: "required", value: .array(required.map(OpenAPIValue.string)))) }
        members.append(.init(key: "properties", value: .object(properties.map { .init(key: $0.key, value: $0.value) })))
        if closed { members.append(.init(key: "additionalProperties", value: false)) }
        return .object(members)
    }

    // MARK: - Operations

    enum Security {
        case none, user, admin
        /// Anonymous, or a buyer's token; a token sent must be valid (401 otherwise).
        case optionalUser
    }

    static func parameter(_ name: String, in location: String, required: Bool = false, _ schema: OpenAPIValue,
                          _ description: String) -> OpenAPIValue {
        ["name": .string(name), "in": .string(location), "required": .bool(required || location == "path"),
         "description": .string(description), "schema": schema]
    }

    static func pathID(_ description: String, name: String = "id") -> OpenAPIValue {
        parameter(name, in: "path", id(description), description)
    }

    /// The envelope around `data`.
    static func envelope(_ data: OpenAPIValue) -> OpenAPIValue {
        ["allOf": [ref("Envelope"), ["type": "object", "properties": ["data": data]]]]
    }

    static func jsonBody(_ schema: OpenAPIValue) -> OpenAPIValue {
        ["required": true, "content": ["application/json": ["schema": schema]]]
    }

    static func operation(
        _ tag: String, _ summary: String, _ description: String = "", security: Security,
        parameters: [OpenAPIValue] = [], body: OpenAPIValue? = nil,
        status: String = "200", data: OpenAPIValue?, errors: [Int], links: OpenAPIValue? = nil
    ) -> OpenAPIValue {
        var members: [OpenAPIValue.Member] = [
            .init(key: "tags", value: [.string(tag)]),
            .init(key: "summary", value: .string(summary)),
        ]
        if !description.isEmpty { members.append(.init(key: "description", value: .string(description))) }
        members.append(.init(key: "operationId", value: .string(operationID(tag: tag, summary: summary))))
        switch security {
        case .none: members.append(.init(key: "security", value: []))
        case .user: members.append(.init(key: "security", value: [["userToken": []]]))
        case .optionalUser: members.append(.init(key: "security", value: [["userToken": []], [:]]))
        case .admin: members.append(.init(key: "security", value: [["adminToken": []]]))
        }
        if !parameters.isEmpty { members.append(.init(key: "parameters", value: .array(parameters))) }
        if let body { members.append(.init(key: "requestBody", value: body)) }
        var responses: [OpenAPIValue.Member] = []
        if let data {
            var success: OpenAPIValue = [
                "description": .string(status == "201" ? "Created" : "Success (code 200)"),
                "content": ["application/json": ["schema": envelope(data)]],
            ]
            if let links { success = success.merging(["links": links]) }
            responses.append(.init(key: status, value: success))
        } else {
            responses.append(.init(key: status, value: ["description": "Success"]))
        }
        var statuses: [Int] = []
        for code in errors {
            // Business codes share their HTTP status's entry (40901 → 409), which lists them all.
            let status = code >= 10_000 ? code / 100 : code
            if !statuses.contains(status) { statuses.append(status) }
        }
        for code in statuses { responses.append(.init(key: String(code), value: .object([.init(key: "$ref", value: .string("#/components/responses/E\(code)"))]))) }
        members.append(.init(key: "responses", value: .object(responses)))
        return .object(members)
    }

    /// An OpenAPI link: the operation `operationID` can follow this one with `parameters`
    /// (and `requestBody` fields) taken from the response, e.g. `$response.body#/data/id`.
    static func link(_ operationID: String, _ description: String, parameters: OpenAPIValue,
                     requestBody: OpenAPIValue? = nil) -> OpenAPIValue {
        var link: OpenAPIValue = ["operationId": .string(operationID), "description": .string(description), "parameters": parameters]
        if let requestBody { link = link.merging(["requestBody": requestBody]) }
        return link
    }

    private static func operationID(tag: String, summary: String) -> String {
        let words = (tag + " " + summary).split { !$0.isLetter && !$0.isNumber }
        return words.enumerated().map { index, word in
            index == 0 ? word.lowercased() : word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }.joined()
    }
}
