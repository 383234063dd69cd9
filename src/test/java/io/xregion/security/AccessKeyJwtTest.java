package io.xregion.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.azure.messaging.webpubsub.WebPubSubServiceClient;
import com.azure.messaging.webpubsub.WebPubSubServiceClientBuilder;
import com.azure.messaging.webpubsub.models.GetClientAccessTokenOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xregion.emulator.security.AccessKeyTokens;
import io.xregion.testing.Keys;
import io.xregion.testing.PublishedEventSignature;
import org.junit.jupiter.api.Test;

/**
 * Our access-key tokens beside the official Java SDK's own, checked with the JDK's HMAC rather than with the library
 * that signed them; event signatures against the vector Microsoft's own SDKs are tested with.
 */
class AccessKeyJwtTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String key = Keys.random();

    @Test
    void theSignatureIsTheHmacOfTheSigningInputKeyedWithTheKeysUtf8Bytes() throws Exception {
        String token = AccessKeyJwt.sign(Map.of("aud", "https://x/api/hubs/chat", "exp", 2_000_000_000L), key);
        String[] parts = token.split("\\.");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(expected), parts[2]);
    }

    @Test
    void ourClientTokenHasTheShapeOfTheOfficialSdksOwn() throws Exception {
        WebPubSubServiceClient sdk = new WebPubSubServiceClientBuilder()
                .connectionString("Endpoint=https://eastus.webpubsub.azure.com;AccessKey=" + key + ";Version=1.0;")
                .hub("chat").buildClient();
        String url = sdk.getClientAccessToken(new GetClientAccessTokenOptions().setUserId("alice")
                .addRole("webpubsub.joinLeaveGroup").addGroup("home.eastus.1").setExpiresAfter(Duration.ofHours(1)))
                .getUrl();
        String theirs = URLDecoder.decode(url.replaceAll(".*access_token=", ""), StandardCharsets.UTF_8);
        long exp = payload(theirs).get("exp").asLong();
        String ours = AccessKeyJwt.sign(Map.of("aud", "https://eastus.webpubsub.azure.com/client/hubs/chat", "exp",
                exp, "sub", "alice", "role", List.of("webpubsub.joinLeaveGroup"), "webpubsub.group",
                List.of("home.eastus.1")), key);

        assertEquals(header(theirs).get("alg"), header(ours).get("alg"));
        for (String claim : List.of("aud", "exp", "sub", "role", "webpubsub.group")) {
            assertEquals(payload(theirs).get(claim), payload(ours).get(claim), claim);
        }
        // a single audience stays a string, as the service reads it
        assertTrue(payload(ours).get("aud").isTextual());
    }

    @Test
    void aKeyTooShortToSignIsRefusedWithoutNamingIt() {
        String shortKey = "too-short-a-key";
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AccessKeyJwt.sign(Map.of("exp", 1), shortKey));
        assertFalse(e.getMessage().contains(shortKey), e.getMessage());
    }

    @Test
    void anEventSignatureIsLowerCaseHexOfTheHmacOfTheConnectionId() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("conn-1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, HmacSha256.hex(key, "conn-1"));
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }

    @Test
    void ourEventSignatureAndTheLocalAzuresAreMicrosoftsPublishedOne() {
        assertEquals(PublishedEventSignature.SIGNATURE, "sha256=" + HmacSha256.hex(PublishedEventSignature.ACCESS_KEY,
                PublishedEventSignature.CONNECTION_ID), "xregion's check");
        assertEquals(PublishedEventSignature.SIGNATURE, "sha256=" + new AccessKeyTokens(
                PublishedEventSignature.ACCESS_KEY).hexSignature(PublishedEventSignature.CONNECTION_ID),
                "the local Azure's signer");
    }

    private static JsonNode header(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
    }

    private static JsonNode payload(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }
}
