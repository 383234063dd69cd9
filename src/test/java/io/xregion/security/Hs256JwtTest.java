package io.xregion.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.xregion.testing.Keys;
import io.xregion.testing.NimbusTokens;
import org.junit.jupiter.api.Test;

/** Our HS256 code agrees with nimbus-jose-jwt (the official SDK's JWT library) both ways, and refuses bad tokens. */
class Hs256JwtTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private final String key = Keys.random();

    @Test
    void ourTokensVerifyWithNimbusAndTheirsWithUs() {
        long exp = NOW.instant().getEpochSecond() + 60;
        String ours = Hs256Jwt.sign(Map.of("aud", "https://x/client/hubs/h", "exp", exp, "role", List.of("r")), key);
        Map<String, Object> claims = NimbusTokens.verify(key, ours);
        assertEquals(List.of("https://x/client/hubs/h"), claims.get("aud"));
        assertEquals(List.of("r"), claims.get("role"));

        String theirs = NimbusTokens.sign(key, Map.of("aud", "https://y", "exp", exp, "sub", "u"));
        Map<String, Object> verified = Hs256Jwt.verify(theirs, key, NOW, Duration.ZERO);
        assertEquals("u", verified.get("sub"));
        assertEquals("https://y", verified.get("aud"));
    }

    @Test
    void theKeyIsUsedAsUtf8BytesNotBase64Decoded() throws Exception {
        String token = Hs256Jwt.sign(Map.of("exp", 1), key);
        String[] parts = token.split("\\.");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(expected), parts[2]);
    }

    @Test
    void wrongKeyTamperedExpiredNotYetValidAndUnsignedTokensAreRefused() {
        long now = NOW.instant().getEpochSecond();
        String good = Hs256Jwt.sign(Map.of("exp", now + 60), key);
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(good, Keys.random(), NOW, Duration.ZERO));
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"exp\":" + (now + 99999) + "}").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(tampered, key, NOW, Duration.ZERO));
        String expired = Hs256Jwt.sign(Map.of("exp", now - 61), key);
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(expired, key, NOW, Duration.ofSeconds(60)));
        Hs256Jwt.verify(expired, key, NOW, Duration.ofSeconds(120));
        String early = Hs256Jwt.sign(Map.of("exp", now + 600, "nbf", now + 300), key);
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(early, key, NOW, Duration.ZERO));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + parts[1] + ".";
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(none, key, NOW, Duration.ZERO));
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify("a.b", key, NOW, Duration.ZERO));
        String noExp = Hs256Jwt.sign(Map.of("aud", "x"), key);
        assertThrows(Hs256Jwt.InvalidTokenException.class, () -> Hs256Jwt.verify(noExp, key, NOW, Duration.ZERO));
    }

    @Test
    void errorMessagesNeverEchoTheTokenOrTheKey() {
        String token = Hs256Jwt.sign(Map.of("exp", 1), key);
        Hs256Jwt.InvalidTokenException e = assertThrows(Hs256Jwt.InvalidTokenException.class,
                () -> Hs256Jwt.verify(token, key, NOW, Duration.ZERO));
        assertFalse(e.getMessage().contains(token));
        assertFalse(e.getMessage().contains(key));
    }

    @Test
    void ceSignatureIsLowerCaseHexOfTheHmacOfTheConnectionId() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("conn-1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, Hs256Jwt.HmacSha256.hex(key, "conn-1"));
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }
}
