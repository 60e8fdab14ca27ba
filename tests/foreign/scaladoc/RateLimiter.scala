package com.example.ratelimit

import java.util.concurrent.atomic.AtomicLong
import scala.annotation.tailrec

/** A token bucket.
  *
  * {{{
  * val limiter = RateLimiter(capacity = 10, refillPerSecond = 5)
  * if (limiter.tryAcquire()) handle(request)
  * }}}
  *
  * @constructor creates a limiter with a full bucket
  * @param capacity the most tokens the bucket holds
  * @param refillPerSecond tokens added every second
  * @param clock returns the current time in nanoseconds
  * @tparam K the key type, for keyed limiters
  * @see [[https://en.wikipedia.org/wiki/Token_bucket]]
  * @since 0.3.0
  */
final class RateLimiter[K](
    val capacity: Long,
    val refillPerSecond: Long,
    clock: () => Long = () => System.nanoTime()
) extends Serializable {

  @transient private lazy val state = new AtomicLong(capacity)
  @volatile private var last: Long = clock()

  /** Takes `n` tokens if there are enough.
    *
    * @param n how many tokens to take
    * @return `true` when the tokens were taken
    * @throws IllegalArgumentException when `n` is negative
    */
  def tryAcquire(n: Long = 1): Boolean = {
    require(n >= 0, s"@param n must be non-negative, got $n")
    refill()
    take(n)
  }

  @tailrec
  private def take(n: Long): Boolean = {
    val current = state.get()
    if (current < n) false
    else if (state.compareAndSet(current, current - n)) true
    else take(n) // @tailrec: the retry compiles to a jump
  }

  @inline private def refill(): Unit = {
    val now = clock()
    val tokens = (now - last) * refillPerSecond / 1000000000L
    if (tokens > 0) {
      last = now
      state.updateAndGet(t => math.min(capacity, t + tokens))
    }
  }

  /** @deprecated use [[tryAcquire]] with an explicit count */
  @deprecated("use tryAcquire(n)", since = "0.2.0")
  def acquire(): Boolean = tryAcquire(1)
}

object RateLimiter {

  /** @param capacity see [[RateLimiter]]
    * @param refillPerSecond see [[RateLimiter]]
    * @return a limiter keyed by nothing
    */
  def apply(capacity: Long, refillPerSecond: Long): RateLimiter[Unit] =
    new RateLimiter[Unit](capacity, refillPerSecond)

  /* @transient fields come back empty after deserialisation; @inline is only a hint. */
}
