//! Retry helpers with exponential backoff.
//!
//! Maintained by @alice and @bob; security reports to security@example.com.
//! cc @rust-lang/libs for questions about the `Duration` API.

use std::time::Duration;

/// A retry policy with exponential backoff.
///
/// Reported by @carol in #42; see <https://github.com/example/retry/issues/42>.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use retry::Backoff;
///
/// let b = Backoff::new(Duration::from_millis(10), 3);
/// assert_eq!(b.delays().count(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    attempts: u32,
}

impl Backoff {
    /// Creates a policy. `attempts` counts retries, not the first try.
    #[must_use]
    pub const fn new(base: Duration, attempts: u32) -> Self {
        Backoff { base, attempts }
    }

    /// The delays before each retry: `base`, `2 * base`, `4 * base`, ...
    ///
    /// @alice: the doubling saturates instead of overflowing.
    pub fn delays(self) -> impl Iterator<Item = Duration> {
        (0..self.attempts).map(move |i| self.base.saturating_mul(1u32 << i.min(31)))
    }
}

/* cc @rust-lang/libs: should `saturating_mul` take a `u64`? */

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles() {
        let b = Backoff::new(Duration::from_millis(10), 3);
        let delays: Vec<_> = b.delays().collect();
        assert_eq!(
            delays,
            [10, 20, 40].map(Duration::from_millis).to_vec() // @bob: keep in step with the doc
        );
    }

    #[test]
    fn saturates() {
        let b = Backoff::new(Duration::MAX, 2);
        assert!(b.delays().all(|d| d == Duration::MAX), "@carol's overflow case");
    }

    #[test]
    #[ignore = "slow; run with --ignored (cc @alice)"]
    fn many_attempts() {
        assert_eq!(Backoff::new(Duration::from_nanos(1), 64).delays().count(), 64);
    }
}
