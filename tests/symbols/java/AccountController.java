// Accounts API.
// @exposes App:Accounts to Tampering

package shop.accounts;

import java.util.Map;

public class AccountController {
    /**
     * Updates an account.
     * @exposes App:Accounts to Tampering
     */
    @PostMapping("/accounts")
    @Transactional
    public Map<String, String> update(Map<String, String> form) {
        // @exposes App:Accounts to Tampering
        return form;
    }

    static class Validator {
        boolean check(String s) {
            // @exposes App:Accounts to Tampering
            return true;
        }
    }
}

// @exposes App:Accounts to Tampering

interface Audited {}
