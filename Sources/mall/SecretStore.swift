import Foundation
import WeChat

/// Secrets generated once and kept in the data directory (mode 0600), so a
/// restart keeps tokens valid and sandbox payment keys stable.
struct SecretStore {
    let directory: String

    func jwtSecret() throws -> [UInt8] {
        try loadOrCreate("jwt.key") {
            var generator = SystemRandomNumberGenerator()
            return Data((0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }.map { $0 }
    }

    func sandboxPayGateway() throws -> SandboxPayGateway {
        let keyData = try loadOrCreate("sandbox-pay.json") {
            let gateway = try SandboxPayGateway.generate()
            return try JSONEncoder().encode(SandboxPayKeys(
                platformPrivateKeyPEM: gateway.platformPrivateKeyPEM, apiV3Key: gateway.apiV3Key, serial: gateway.serial))
        }
        let keys = try JSONDecoder().decode(SandboxPayKeys.self, from: keyData)
        return try SandboxPayGateway(platformPrivateKeyPEM: keys.platformPrivateKeyPEM, apiV3Key: keys.apiV3Key, serial: keys.serial)
    }

    private func loadOrCreate(_ name: String, create: () throws -> Data) throws -> Data {
        let path = directory + "/" + name
        if let existing = FileManager.default.contents(atPath: path) { return existing }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try create()
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return data
    }
}

/// The sandbox payment platform's keys as kept in secrets/sandbox-pay.json.
struct SandboxPayKeys: Codable {
    var platformPrivateKeyPEM: String
    var apiV3Key: String
    var serial: String
}
