package io.xregion.emulator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The emulators' access-key tokens: a token whose signature was checked once is remembered, and every later call
 * still checks its times and nothing else is let through for it.
 */
class AccessKeyTokensTest {

    private static final String KEY = "k".repeat(44);
    private static final Instant NOW = Instant.parse("2026-12-06T00:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(5);

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() {
        AccessKeyTokens tokens = new AccessKeyTokens(KEY);
        String token = tokens.sign(Map.of("aud", "http://a/api", "exp", NOW.plusSeconds(60).getEpochSecond()));
        assertEquals("http://a/api", tokens.verify(token, at(NOW), SKEW).get("aud"));
        assertEquals("http://a/api", tokens.verify(token, at(NOW.plusSeconds(64)), SKEW).get("aud"));
        AccessKeyTokens.InvalidTokenException expired = assertThrows(AccessKeyTokens.InvalidTokenException.class,
                () -> tokens.verify(token, at(NOW.plusSeconds(66)), SKEW));
        assertEquals("token expired", expired.getMessage());
    }

    @Test
    void aRememberedTokenNotValidYetIsRefusedUntilItsTime() {
        AccessKeyTokens tokens = new AccessKeyTokens(KEY);
        String token = tokens.sign(Map.of("aud", "http://a/api", "nbf", NOW.plusSeconds(30).getEpochSecond(),
                "exp", NOW.plusSeconds(600).getEpochSecond()));
        assertThrows(AccessKeyTokens.InvalidTokenException.class, () -> tokens.verify(token, at(NOW), SKEW));
        assertEquals("http://a/api", tokens.verify(token, at(NOW.plusSeconds(30)), SKEW).get("aud"));
        assertThrows(AccessKeyTokens.InvalidTokenException.class, () -> tokens.verify(token, at(NOW), SKEW));
    }

    @Test
    void onlyTheExactTokenOfThisKeyIsRemembered() {
        AccessKeyTokens tokens = new AccessKeyTokens(KEY);
        long exp = NOW.plusSeconds(600).getEpochSecond();
        String token = tokens.sign(Map.of("aud", "http://a/api", "exp", exp));
        tokens.verify(token, at(NOW), SKEW);
        String otherKey = new AccessKeyTokens("o".repeat(44)).sign(Map.of("aud", "http://a/api", "exp", exp));
        assertEquals("signature does not match", assertThrows(AccessKeyTokens.InvalidTokenException.class,
                () -> tokens.verify(otherKey, at(NOW), SKEW)).getMessage());
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + new AccessKeyTokens(KEY).sign(Map.of("aud", "http://b/api", "exp", exp))
                .split("\\.")[1] + "." + parts[2];
        assertEquals("signature does not match", assertThrows(AccessKeyTokens.InvalidTokenException.class,
                () -> tokens.verify(tampered, at(NOW), SKEW)).getMessage());
    }

    @Test
    void manyTokensKeepBeingCheckedPastTheBoundOfRememberedOnes() {
        AccessKeyTokens tokens = new AccessKeyTokens(KEY);
        long exp = NOW.plusSeconds(600).getEpochSecond();
        for (int i = 0; i <= AccessKeyTokens.REMEMBERED_TOKENS + 10; i++) {
            String token = tokens.sign(Map.of("aud", "http://a/api/" + i, "exp", exp));
            assertEquals("http://a/api/" + i, tokens.verify(token, at(NOW), SKEW).get("aud"));
            assertEquals("http://a/api/" + i, tokens.verify(token, at(NOW), SKEW).get("aud"));
        }
    }
}
