import ArgumentParser
import Foundation

/// Reads MALL_* environment variables; flags win over them.
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    static func int(_ name: String) -> Int? { string(name).flatMap(Int.init) }

    /// An on/off switch: 1, true, yes or on; 0, false, no or off (any case); unset or empty is off.
    /// Anything else is refused, naming the variable, rather than taken as off (or on) by a guess.
    static func isOn(_ name: String) throws -> Bool {
        guard let value = string(name) else { return false }
        guard let isOn = parseSwitch(value) else {
            throw ValidationError("\(name) must be 1 or 0 (or true/false, yes/no, on/off), not \"\(value.prefix(32))\"")
        }
        return isOn
    }

    /// 1, true, yes or on; 0, false, no or off (any case); nil for anything else.
    static func parseSwitch(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
