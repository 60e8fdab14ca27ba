// Ledger service.
// @exposes App:Ledger to Tampering

package shop.ledger

trait Store {
  /** @exposes App:Ledger to Tampering */
  def append(entry: String): Int
}

class Ledger(store: Store) {
  /** Records one entry.
    * @exposes App:Ledger to Tampering
    */
  @throws[IllegalStateException]
  def record(entry: String): Int = {
    // @exposes App:Ledger to Tampering
    store.append(entry)
  }
}

object Ledger {
  def apply(store: Store): Ledger = {
    // @exposes App:Ledger to Tampering
    new Ledger(store)
  }
}

case class Entry(id: Long, text: String)

// @exposes App:Ledger to Tampering

def main(): Unit = ()
