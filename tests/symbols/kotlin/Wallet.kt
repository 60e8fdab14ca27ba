// Wallet service.
// @exposes App:Wallet to Tampering

package shop.wallet

import java.util.concurrent.ConcurrentHashMap

interface Ledger {
    /** @exposes App:Ledger to Tampering */
    fun append(entry: String): Int
}

class Wallet(private val ledger: Ledger) : Ledger {
    private val balances = ConcurrentHashMap<String, Long>()

    /**
     * Moves money between two accounts.
     * @exposes App:Wallet to Tampering
     */
    @Synchronized
    @Throws(IllegalStateException::class)
    fun transfer(from: String, to: String, amount: Long) {
        // @exposes App:Wallet to Tampering
        balances.merge(from, -amount, Long::plus)
        balances.merge(to, amount, Long::plus)
    }

    override fun append(entry: String): Int = ledger.append(entry)

    companion object {
        fun open(): Wallet {
            // @exposes App:Wallet to Tampering
            return Wallet(NoLedger)
        }
    }
}

object NoLedger : Ledger {
    override fun append(entry: String): Int = 0
}

// @exposes App:Wallet to Tampering

fun main() {
    val spend = { amount: Long ->
        // @exposes App:Wallet to Tampering
        amount
    }
    println(spend(1))
}
