import Foundation

/// Stores secrets.
/// @component Swift:Keychain (#sw_keychain) [storage]
/// @handles secrets on Swift:Keychain
// @threat Backup extraction (#sw_backup):
//   severity: medium
//   description: Items without ThisDeviceOnly reach backups.
final class Keychain {
    // @threat Secret exfiltration (#sw_exfil) [high]
    let trap = "// @threat String TRAP"
    let multi = """
        /* @threat Multi-line string TRAP */
        // @threat Multi-line line TRAP
        """
    let raw = #"// @threat Raw string TRAP \(1)"#

    /**
     * @mitigates Swift:Keychain against #sw_exfil with Secure Enclave
     */
    func store(_ value: String) -> Bool {
        /* Outer /* nested */ comment.
           @exposes Swift:Keychain to #sw_exfil with iCloud sync */
        return !value.isEmpty // @connects Swift:App to Swift:Keychain with XPC
    }

    /*
     * @threat Jailbreak (#sw_jailbreak):
     *   likelihood: low
     *   description: The device is rooted. */
    func wipe() {
        // TODO @mitigates Swift:Keychain against #sw_jailbreak
        // @skip @mitigates Swift:Keychain against #sw_jailbreak
    }
}
