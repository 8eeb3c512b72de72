import Foundation
import Glibc
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

    /// Reads a secret, or creates it: written 0600 to a temporary file, fsynced,
    /// renamed into place and the directory fsynced before it is used, so a crash
    /// never leaves a half-written key that the next start would trust. The
    /// directory is kept 0700 and an existing file 0600 (tightened when looser).
    private func loadOrCreate(_ name: String, create: () throws -> Data) throws -> Data {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Self.tighten(directory, mode: 0o700)
        if let existing = FileManager.default.contents(atPath: path) {
            try Self.tighten(path, mode: 0o600)
            return existing
        }
        let data = try create()
        let temporary = path + ".tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SecretError.io("create \(temporary)", errno) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
                guard written > 0 else { throw SecretError.io("write \(temporary)", errno) }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw SecretError.io("fsync \(temporary)", errno) }
        guard rename(temporary, path) == 0 else { throw SecretError.io("rename \(temporary)", errno) }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw SecretError.io("open \(directory)", errno) }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw SecretError.io("fsync \(directory)", errno) }
        return data
    }

    private static func tighten(_ path: String, mode: Int) throws {
        let current = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        guard current.map({ $0 & 0o777 }) != mode else { return }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}

enum SecretError: Error, CustomStringConvertible {
    case io(String, Int32)

    var description: String {
        switch self {
        case .io(let operation, let code): "secrets: \(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// The sandbox payment platform's keys as kept in secrets/sandbox-pay.json.
struct SandboxPayKeys: Codable {
    var platformPrivateKeyPEM: String
    var apiV3Key: String
    var serial: String
}
