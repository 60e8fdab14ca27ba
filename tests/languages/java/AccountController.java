package com.example.accounts;

import java.sql.Connection;

/**
 * Account endpoints.
 *
 * @component Java:Accounts (#java_accounts) [compute]
 * @threat Broken access control (#java_bac) [critical, elevation-of-privilege] owasp:A01:2021
 * @author someone
 */
@RestController
public class AccountController {
    // @control Ownership check (#java_owner)
    // @mitigates Java:Accounts against #java_bac with #java_owner
    private static final String TRAP = "// @threat String TRAP (#java_trap_string)";

    private static final String BLOCK = """
        /* @threat Text block TRAP */
        // @threat Text block line TRAP
        """;

    /*
     * @threat Mass assignment (#java_mass):
     *   severity: medium
     *   description: Request bodies bind to every field.
     */
    @Override
    public String toString() {
        return TRAP + BLOCK; // @exposes Java:Accounts to #java_mass with setter binding
    }

    /** @connects Java:Accounts to Java:Accounts:Db with JDBC (#java_jdbc) */
    @Test
    void load(Connection c) {
        char q = '"'; // @tests #java_owner for Java:Accounts
        char at = '@'; /* @component Java:Accounts:Db [storage] */
        // TODO @mitigates Java:Accounts against #java_mass
        // @skip @mitigates Java:Accounts against #java_mass
    }

    /**
     * @threat Stale sessions (#java_stale):
     *   likelihood: medium
     *   description: Sessions outlive password changes. */
    void logout() {}

    // @threat Token reuse (#java_reuse):
    //   severity: low
    //   description: Reset tokens are not single-use.
}
