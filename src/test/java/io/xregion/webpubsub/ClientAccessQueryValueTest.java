package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.xregion.security.AccessKeyJwt;

/** A client token in negotiate's URL: as it is when it needs no percent-encoding (a JWT never does), else encoded. */
class ClientAccessQueryValueTest {

    @Test
    void aJwtGoesAsItIs() {
        String token = AccessKeyJwt.sign(Map.of("aud", "ws://127.0.0.1:1/client/hubs/chat", "exp", 4_000_000_000L,
                "sub", "alice+bob/é"), "k".repeat(44));
        assertSame(token, ClientAccess.queryValue(token));
    }

    @Test
    void anythingElseIsPercentEncodedAndDecodesToItself() {
        for (String value : new String[] {"a+b/c=", "a b", "é", "a~b", "x?y&z"}) {
            assertEquals(value, URLDecoder.decode(ClientAccess.queryValue(value), StandardCharsets.UTF_8));
        }
        assertEquals("a%2Bb%2Fc%3D", ClientAccess.queryValue("a+b/c="));
    }
}
