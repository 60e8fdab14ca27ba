// Keychain wrapper.
// @exposes App:Keychain to Tampering

import Foundation

protocol SecretStore {
    /// @exposes App:Keychain to Tampering
    func read(_ key: String) -> Data?
}

final class Keychain: SecretStore {
    /// Reads a secret.
    /// @exposes App:Keychain to Tampering
    @discardableResult
    func read(_ key: String) -> Data? {
        // @exposes App:Keychain to Tampering
        return nil
    }

    init() {
        // @exposes App:Keychain to Tampering
    }
}

struct Token {
    let value: String
}

extension Keychain {
    func wipe() {
        // @exposes App:Keychain to Tampering
    }
}

enum Access {
    case always
    case unlocked
}

// @exposes App:Keychain to Tampering

func main() {}
