package ledger

/**
 * @component Scala:Ledger (#sc_ledger) [storage]
 * @threat Tampered entries (#sc_tamper) [high, tampering]
 */
object Ledger {
  // @control Hash chain (#sc_chain)
  val trap = "// @threat String TRAP"
  val multi = """
    /* @threat Multi-line string TRAP */
    // @threat Multi-line line TRAP
  """
  val interpolated = s"// @threat Interpolated TRAP ${trap}"

  /* @mitigates Scala:Ledger against #sc_tamper with #sc_chain */
  def append(entry: String): Int = entry.length // @exposes Scala:Ledger to #sc_tamper with admin writes

  // @threat Replayed entries (#sc_replay):
  //   severity: medium
  //   description: Old entries come back.
  def replay(): Unit = {
    // TODO @mitigates Scala:Ledger against #sc_replay
    // @skip @mitigates Scala:Ledger against #sc_replay
  }

  /** @threat Lost writes (#sc_lost):
    *   likelihood: low
    *   description: Writes vanish on failover. */
  def flush(): Unit = ()
}

/* Outer /* nested */ still a comment.
   @review Scala:Ledger nested comments */
object Audit
