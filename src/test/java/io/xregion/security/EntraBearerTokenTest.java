package io.xregion.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import io.xregion.testing.SettableClock;

/**
 * A REST call does not ask the credential every time: its token is kept while it is valid for more than five
 * minutes, then renewed; a failing credential says so without a token.
 */
class EntraBearerTokenTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T10:00:00Z"));
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    /** Hands out token-1, token-2... each valid for an hour from the clock's now. */
    private TokenCredential hourLongTokens() {
        return request -> {
            scopes.addAll(request.getScopes());
            return Mono.just(new AccessToken("token-" + scopes.size(),
                    OffsetDateTime.ofInstant(clock.instant().plus(Duration.ofHours(1)), ZoneOffset.UTC)));
        };
    }

    @Test
    void aTokenIsKeptUntilFiveMinutesBeforeItExpires() {
        EntraBearerToken bearer = new EntraBearerToken(hourLongTokens(), "https://webpubsub.azure.com/.default",
                clock);
        assertEquals("Bearer token-1", bearer.authorization());
        clock.advance(Duration.ofMinutes(54));
        assertEquals("Bearer token-1", bearer.authorization());
        clock.advance(Duration.ofMinutes(2));
        assertEquals("Bearer token-2", bearer.authorization());
        assertEquals(List.of("https://webpubsub.azure.com/.default", "https://webpubsub.azure.com/.default"), scopes);
    }

    @Test
    void aFailingCredentialIsReportedWithoutSecrets() {
        EntraBearerToken bearer = new EntraBearerToken(request -> Mono.error(
                new IllegalStateException("no identity endpoint")), "https://servicebus.azure.net/.default", clock);
        IllegalStateException e = assertThrows(IllegalStateException.class, bearer::authorization);
        assertTrue(e.getMessage().contains("https://servicebus.azure.net/.default"), e.getMessage());
        assertFalse(e.getMessage().contains("Bearer"), e.getMessage());
    }

    @Test
    void credentialKindsAreReadAsConfiguredAndABadOneNamesItsProperty() {
        assertEquals(AzureCredential.MANAGED_IDENTITY, AzureCredential.parse("k", "Managed-Identity"));
        assertEquals(AzureCredential.WORKLOAD_IDENTITY, AzureCredential.parse("k", " workload-identity "));
        assertFalse(AzureCredential.KEY.entra());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AzureCredential.parse("xregion.webpubsub.eastus.credential", "msi"));
        assertEquals("xregion.webpubsub.eastus.credential must be key, managed-identity or workload-identity, not "
                + "'msi'", e.getMessage());
    }
}
