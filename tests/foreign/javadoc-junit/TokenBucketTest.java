package com.example.ratelimit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tests for {@link TokenBucket}.
 *
 * <p>Each test builds a fresh bucket in {@link #setUp()}; write new cases as
 * <pre>{@code
 * @Test
 * void refillsAfterOneSecond() { ... }
 * }</pre>
 *
 * @author Jane Doe
 * @author alice@example.com
 * @since 1.4
 * @see TokenBucket#tryAcquire(int)
 */
@DisplayName("TokenBucket")
class TokenBucketTest {

    private FakeClock clock;
    private TokenBucket bucket;

    /**
     * Creates a bucket of ten tokens refilled at one per second.
     */
    @BeforeEach
    void setUp() {
        clock = new FakeClock();
        bucket = new TokenBucket(10, Duration.ofSeconds(1), clock);
    }

    @Test
    @DisplayName("@Test names may contain @ signs")
    void acquiresUpToCapacity() {
        for (int i = 0; i < 10; i++) {
            assertTrue(bucket.tryAcquire(1));
        }
        assertFalse(bucket.tryAcquire(1)); // @see the capacity above
    }

    /**
     * Asking for a negative number of tokens is a programming error.
     *
     * @throws IllegalArgumentException always
     */
    @Test
    void rejectsNegativeRequests() {
        assertThrows(IllegalArgumentException.class, () -> bucket.tryAcquire(-1));
    }

    /**
     * @param tokens how many tokens to ask for at once
     */
    @ParameterizedTest(name = "@test acquire {0}")
    @ValueSource(ints = {1, 2, 5, 10})
    void acquiresBatches(int tokens) {
        assertTrue(bucket.tryAcquire(tokens));
    }

    /**
     * Kept for the old runner; JUnit ignores {@code @Test} methods' return values.
     *
     * @deprecated replaced by {@link #acquiresBatches(int)}
     */
    @Deprecated
    @Test
    void legacyAcquire() {
        clock.advance(Duration.ofSeconds(2));
        assertTrue(bucket.tryAcquire(2));
    }

    /** A clock the test moves by hand. */
    static final class FakeClock implements TokenBucket.Clock {
        private long nanos;

        /**
         * @return the current reading in nanoseconds
         */
        @Override
        public long nanoTime() {
            return nanos;
        }

        /**
         * @param step how far to move
         */
        void advance(Duration step) {
            nanos += step.toNanos();
        }
    }
}
