package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Connection strings are read as the service's SDKs read them. */
class WebPubSubConnectionStringTest {

    private static final String KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Endpoint=https://demo.webpubsub.azure.com;AccessKey=" + KEY + ";Version=1.0;  | https://demo.webpubsub.azure.com",
        "endpoint=https://Demo.WebPubSub.Azure.com/;accesskey=" + KEY + "               | https://demo.webpubsub.azure.com",
        " Endpoint = https://demo.webpubsub.azure.com ; AccessKey = " + KEY + " ;       | https://demo.webpubsub.azure.com",
        "Endpoint=demo.webpubsub.azure.com;AccessKey=" + KEY + "                        | https://demo.webpubsub.azure.com",
        "Endpoint=http://localhost;Port=8888;AccessKey=" + KEY + ";Version=1.0;         | http://localhost:8888",
        "Endpoint=http://127.0.0.1:7000;Port=7001;AccessKey=" + KEY + "                 | http://127.0.0.1:7001",
        "Endpoint=https://demo.webpubsub.azure.com:443;AccessKey=" + KEY + "            | https://demo.webpubsub.azure.com",
    })
    void parsesLikeTheSdks(String connectionString, String endpoint) {
        WebPubSubConnectionString parsed = WebPubSubConnectionString.parse(connectionString);
        assertEquals(URI.create(endpoint), parsed.endpoint());
        assertEquals(KEY, parsed.accessKey());
    }

    @Test
    void aKeyMayContainEqualsSigns() {
        assertEquals("abc==", WebPubSubConnectionString.parse("Endpoint=https://x;AccessKey=abc==").accessKey());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "   ", "AccessKey=" + KEY, "Endpoint=https://x", "Endpoint=https://x;AccessKey=",
        "Endpoint=https://x;AccessKey=" + KEY + ";AccessKey=" + KEY, "Endpoint=ftp://x;AccessKey=" + KEY,
        "Endpoint=https://x/path;AccessKey=" + KEY, "Endpoint=https://x;Port=abc;AccessKey=" + KEY,
        "Endpoint=https://x;Port=70000;AccessKey=" + KEY, "Endpoint=https://x;garbage;AccessKey=" + KEY,
        "Endpoint=https://x;AuthType=azure.msi;Version=1.0;",
    })
    void refusesWhatTheSdksRefuseWithoutEchoingTheKey(String connectionString) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebPubSubConnectionString.parse(connectionString));
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void toStringHidesTheKey() {
        assertFalse(WebPubSubConnectionString.parse("Endpoint=https://x;AccessKey=" + KEY).toString().contains(KEY));
        assertFalse(WebPubSubInstance.of("eastus", WebPubSubConnectionString.parse("Endpoint=https://x;AccessKey="
                + KEY), InstanceRole.PRIMARY).toString().contains(KEY));
    }
}
