/**
 * @component Kt:Wallet (#kt_wallet) [compute]
 */
package com.example.wallet

// @threat Double spend (#kt_double) [high]
// @control Idempotency keys (#kt_idem)
class Wallet(private val balance: Long) {
    private val trap = "// @threat String TRAP ${balance}"
    private val raw = """
        /* @threat Raw string TRAP */
        // @threat Raw line TRAP
    """

    /* Outer /* nested */ still the same comment.
       @mitigates Kt:Wallet against #kt_double with #kt_idem */
    fun spend(amount: Long): Long = balance - amount // @exposes Kt:Wallet to #kt_double with retries

    /**
     * @threat Overflow (#kt_overflow):
     *   severity: low
     *   description: Amounts overflow Long. */
    fun total() = trap.length + raw.length

    // TODO @mitigates Kt:Wallet against #kt_overflow
    // @skip @mitigates Kt:Wallet against #kt_overflow
    // @connects Kt:Wallet to Kt:Ledger with Kafka
}

// @threat Race on balance (#kt_race):
//   severity: high
//   description: Two spends read the same balance.
