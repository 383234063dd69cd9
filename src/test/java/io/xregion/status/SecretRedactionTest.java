package io.xregion.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a library's error text may hold is hidden before the status page shows it; the rest stays readable. */
class SecretRedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=abc+/def= | Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=***
        Endpoint=https://wps.webpubsub.azure.com;AccessKey=Zm9vYmFy;Version=1.0;                | Endpoint=https://wps.webpubsub.azure.com;AccessKey=***;Version=1.0;
        SharedAccessSignature sr=ns&sig=c2lnbmF0dXJl&se=1&skn=app                            | SharedAccessSignature sr=ns&sig=***&se=1&skn=app
        401 for Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln               | 401 for Authorization: Bearer ***
        token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln expired                              | token *** expired
        WRONGPASS password=hunter2 given                                                     | WRONGPASS password=*** given
        ConnectException: Connection refused                                                 | ConnectException: Connection refused
        health answered HTTP 503                                                             | health answered HTTP 503
        """)
    void hidesSecretsOnly(String text, String shown) {
        assertEquals(shown, SecretRedaction.redact(text));
    }

    @org.junit.jupiter.api.Test
    void nothingStaysNothing() {
        assertNull(SecretRedaction.redact(null));
    }
}
