package com.example.session

import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import kotlinx.serialization.Serializable
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse

/**
 * A signed-in session.
 *
 * @property userId the user this session belongs to.
 * @property token an opaque bearer token; never log it.
 * @constructor Creates a session that expires at [expiresAt].
 * @sample com.example.session.SessionSamples.create
 */
@Serializable
data class Session(
    val userId: String,
    val token: String,
    val expiresAt: Long,
) {
    /**
     * Whether the session is still valid.
     *
     * @param now the current time in epoch milliseconds.
     * @return `true` until [expiresAt].
     */
    fun isValid(now: Long): Boolean = now < expiresAt

    companion object {
        /**
         * Parses `user@token@expiry`.
         *
         * @param raw the serialised form.
         * @throws IllegalArgumentException when [raw] has fewer than three parts.
         */
        @JvmStatic
        fun parse(raw: String): Session {
            val parts = raw.split('@')
            require(parts.size == 3) { "expected user@token@expiry, got $raw" }
            return Session(parts[0], parts[1], parts[2].toLong())
        }
    }
}

/**
 * Shows who is signed in.
 *
 * @param session the current session, or `null` when signed out.
 * @Composable functions may only be called from other composables.
 */
@Composable
fun SessionBanner(session: Session?) {
    // @Composable: recomposes when session changes
    Text(text = session?.userId ?: "Signed out")
}

object SessionSamples {
    /** @suppress */
    fun create() {
        val session = Session("alice", "t0k3n", expiresAt = 1_700_000_000_000)
        println(session.isValid(now = 0)) // @sample output: true
    }
}

class SessionTest {
    @Test
    fun parsesTheSerialisedForm() {
        val session = Session.parse("alice@abc@42")
        assertEquals("alice", session.userId)
        assertEquals(42L, session.expiresAt)
    }

    /** @test-only: expiry is exclusive. */
    @Test
    fun expiresAtTheDeadline() {
        assertFalse(Session("bob", "x", 10).isValid(10))
    }
}
