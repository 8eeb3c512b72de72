import Engine
import Foundation
import MallTestSupport
@testable import Net

/// Fuzz cases of the identity request DTOs: back-office accounts, password
/// change, bans, and the buyer's profile and address book.
extension DTOCase {
    static let adminRole = RequestShape.oneOf(AdminRole.allCases.map(\.rawValue))
    static let adminPermissions = RequestShape.array(.oneOf(Permission.all), counts: 0...AdminRules.permissionsMax)

    static let createAdmin = DTOCase(
        name: "CreateAdminRequest", types: ["CreateAdminRequest"],
        shape: .object([
            .init("username", .text(AdminRules.usernameRule)),
            .init("password", .text(AdminRules.passwordRule)),
            .init("role", adminRole),
            .init("permissions", adminPermissions, required: false),
        ]),
        run: { data in
            outcome {
                let input = try decode(CreateAdminRequest.self, data).validated()
                var violations = adminPasswordViolations(input.password)
                if !AdminRules.usernameRule.accepts(input.username) { violations.append("username \(input.username)") }
                violations += adminRoleViolations(input.role) + adminPermissionViolations(input.permissions)
                return violations
            }
        },
        fixCrossFieldRules: { json, _ in fitPasswordToBcrypt(&json, "password") })

    static let updateAdmin = DTOCase(
        name: "UpdateAdminRequest", types: ["UpdateAdminRequest"],
        shape: .object([
            .init("role", adminRole, required: false),
            .init("permissions", adminPermissions, required: false),
            .init("enabled", .bool, required: false),
            .init("password", .text(AdminRules.passwordRule), required: false),
        ]),
        run: { data in
            outcome {
                let input = try decode(UpdateAdminRequest.self, data).validated()
                var violations: [String] = []
                if input.role == nil, input.permissions == nil, input.enabled == nil, input.password == nil { violations.append("changes nothing") }
                if let role = input.role { violations += adminRoleViolations(role) }
                if let permissions = input.permissions { violations += adminPermissionViolations(permissions) }
                if let password = input.password { violations += adminPasswordViolations(password) }
                return violations
            }
        },
        fixCrossFieldRules: { json, random in
            fitPasswordToBcrypt(&json, "password")
            // At least one field must change.
            if case .object(let members) = json, members.isEmpty { json = .object([FuzzMember("enabled", .bool(random.chance(0.5)))]) }
        })

    static let passwordChange = DTOCase(
        name: "PasswordChangeRequest", types: ["PasswordChangeRequest"],
        shape: .object([
            .init("oldPassword", .text(AdminLoginRequest.passwordRule)),
            .init("newPassword", .text(AdminRules.passwordRule)),
        ]),
        run: { data in
            outcome {
                let input = try decode(PasswordChangeRequest.self, data).validated()
                var violations = adminPasswordViolations(input.newPassword)
                if input.newPassword == input.oldPassword { violations.append("newPassword == oldPassword") }
                if input.oldPassword.unicodeScalars.contains("\u{0}") { violations.append("oldPassword holds NUL") }
                return violations
            }
        },
        fixCrossFieldRules: { json, _ in
            fitPasswordToBcrypt(&json, "newPassword")
            // The new password must differ from the old one.
            if let old = string(json, "oldPassword"), old == string(json, "newPassword") {
                set(&json, "newPassword", .string(old == "password-2" ? "password-3" : "password-2"))
            }
        })

    static let ban = DTOCase(
        name: "BanRequest", types: ["BanRequest"],
        shape: .object([.init("reason", .text(BanRequest.reasonRule))]),
        run: { data in
            outcome {
                let reason = try decode(BanRequest.self, data).validated()
                return BanRequest.reasonRule.accepts(reason) ? [] : ["reason \(reason)"]
            }
        })

    static let profileUpdate = DTOCase(
        name: "ProfileUpdateRequest", types: ["ProfileUpdateRequest"],
        shape: .object([
            .init("nickname", .text(ProfileUpdateRequest.nicknameRule), required: false),
            .init("avatarUrl", .text(ProfileUpdateRequest.avatarRule), required: false),
            .init("gender", .oneOf(GenderName.all), required: false),
        ]),
        run: { data in
            outcome {
                let input = try decode(ProfileUpdateRequest.self, data).validated()
                var violations: [String] = []
                if input.nickname == nil, input.avatarURL == nil, input.gender == nil { violations.append("changes nothing") }
                if let nickname = input.nickname, !ProfileUpdateRequest.nicknameRule.accepts(nickname) { violations.append("nickname \(nickname)") }
                if let url = input.avatarURL,
                   !ProfileUpdateRequest.avatarRule.accepts(url) || !(url.hasPrefix("https://") || url.hasPrefix("/uploads/")) {
                    violations.append("avatarUrl \(url)")
                }
                return violations
            }
        },
        fixCrossFieldRules: { json, random in
            // avatarUrl starts with https:// or /uploads/, within its length.
            if let url = string(json, "avatarUrl") {
                let prefix = random.chance(0.5) ? "https://" : "/uploads/"
                let room = ProfileUpdateRequest.avatarRule.lengths.upperBound - prefix.unicodeScalars.count
                set(&json, "avatarUrl", .string(prefix + String(String.UnicodeScalarView(url.unicodeScalars.prefix(room)))))
            }
            // At least one field must change.
            if case .object(let members) = json, members.isEmpty { json = .object([FuzzMember("gender", .string("female"))]) }
        })

    /// Random text is almost never a real ID number (its checksum), so a refusal by
    /// `validated()` is expected here: what is checked is that decoding refuses with a 400
    /// or decodes, and that `validated()` never traps. The ID rules have their own tests.
    static let realName = DTOCase(
        name: "RealNameRequest", types: ["RealNameRequest"],
        shape: .object([
            .init("name", .text(RealNameRequest.nameRule)),
            .init("idNumber", .text(RealNameRequest.idNumberRule)),
        ]),
        run: { data in outcome { _ = try? decode(RealNameRequest.self, data).validated(); _ = try decode(RealNameRequest.self, data); return [] } })

    /// Like `realName`: random codes are rarely a real province/city/district triple, so
    /// `validated()` is run for traps only; the region rules have their own tests.
    static let address = DTOCase(
        name: "AddressRequest", types: ["AddressRequest"],
        shape: .object([
            .init("name", .text(AddressRequest.nameRule)),
            .init("phone", .text(AddressRequest.phoneRule)),
            .init("provinceCode", .text(AddressRequest.regionCodeRule)),
            .init("cityCode", .text(AddressRequest.regionCodeRule), required: false),
            .init("districtCode", .text(AddressRequest.regionCodeRule), required: false),
            .init("detail", .text(AddressRequest.detailRule)),
            .init("isDefault", .bool, required: false),
        ]),
        run: { data in outcome { _ = try? decode(AddressRequest.self, data).validated(); _ = try decode(AddressRequest.self, data); return [] } })

    static let addressParse = DTOCase(
        name: "AddressParseRequest", types: ["AddressParseRequest"],
        shape: .object([.init("text", .text(AddressParseRequest.textRule))]),
        run: { data in
            outcome {
                let text = try decode(AddressParseRequest.self, data).validated()
                return AddressParseRequest.textRule.accepts(text) ? [] : ["text \(text)"]
            }
        })

    // MARK: - Helpers

    static func adminPasswordViolations(_ password: String) -> [String] {
        var violations: [String] = []
        if !AdminRules.passwordRule.accepts(password) { violations.append("password breaks its rule") }
        if password.utf8.count > AdminRules.passwordBytesMax { violations.append("password over \(AdminRules.passwordBytesMax) bytes") }
        return violations
    }

    static func adminRoleViolations(_ role: String) -> [String] {
        AdminRole(rawValue: role) == nil ? ["role \(role)"] : []
    }

    static func adminPermissionViolations(_ permissions: [String]) -> [String] {
        var violations = permissions.filter { !Permission.known.contains($0) }.map { "permission \($0)" }
        if permissions.count > AdminRules.permissionsMax { violations.append("permissions.count \(permissions.count)") }
        return violations
    }

    /// bcrypt reads 72 bytes: a valid password of up to 72 scalars may still be longer in
    /// UTF-8, so non-ASCII scalars become ASCII, keeping the length in scalars.
    static func fitPasswordToBcrypt(_ json: inout FuzzJSON, _ key: String) {
        guard let password = string(json, key), password.utf8.count > AdminRules.passwordBytesMax else { return }
        let ascii = password.unicodeScalars.map { $0.isASCII ? Character($0) : "p" }
        set(&json, key, .string(String(ascii)))
    }

    static func string(_ json: FuzzJSON, _ key: String) -> String? {
        guard case .object(let members) = json else { return nil }
        for member in members where member.key == key {
            if case .string(let text) = member.value { return text }
        }
        return nil
    }

    static func set(_ json: inout FuzzJSON, _ key: String, _ value: FuzzJSON) {
        guard case .object(var members) = json else { return }
        for index in members.indices where members[index].key == key { members[index].value = value }
        json = .object(members)
    }
}
