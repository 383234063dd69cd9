package io.xregion.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.xregion.emulator.security.EntraTokens;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.LocalEntraId;
import io.xregion.testing.ManagedIdentityProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The tests' managed-identity endpoint speaks what azure-identity's ManagedIdentityCredential (azure-identity 1.18,
 * MSAL4J 1.23, App Service source) asks: a JVM started with {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}
 * gets tokens of the local issuer for the resource of each scope, which the emulators' Entra check accepts for that
 * service only; a user-assigned identity ({@code AZURE_CLIENT_ID}) is named in the request.
 */
@Tag("slow")
class LocalManagedIdentityTest {

    private static LocalEntraId entra;

    @BeforeAll
    static void start() {
        entra = new LocalEntraId();
    }

    @AfterAll
    static void stop() {
        entra.close();
    }

    private static List<String> tokensInAJvmOfItsOwn(Map<String, String> environment, String... scopes)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ManagedIdentityProbe.class.getName()));
        command.addAll(List.of(scopes));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("IDENTITY_") || k.startsWith("AZURE_")
                || k.startsWith("MSI_") || k.equals("IMDS_ENDPOINT"));
        builder.environment().putAll(environment);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, process.exitValue(), "the probe failed: " + out);
        return out.lines().filter(line -> line.startsWith("TOKEN ")).map(line -> line.substring(6)).toList();
    }

    @Test
    void aSystemAssignedIdentityGetsATokenPerServiceThatOnlyThatServiceAccepts() throws Exception {
        int before = entra.requests().size();
        List<String> tokens = tokensInAJvmOfItsOwn(Map.of("IDENTITY_ENDPOINT", entra.identityEndpoint(),
                "IDENTITY_HEADER", entra.identityHeader()), "https://webpubsub.azure.com/.default",
                "https://servicebus.azure.net/.default");
        assertEquals(2, tokens.size());
        EntraTokens webPubSub = new EntraTokens(entra.issuer(), EntraTokens.WEBPUBSUB_AUDIENCE);
        EntraTokens serviceBus = new EntraTokens(entra.issuer(), EntraTokens.SERVICEBUS_AUDIENCE);
        assertEquals(LocalEntraId.SYSTEM_ASSIGNED_CLIENT_ID, webPubSub.verify(tokens.get(0)).get("appid"));
        assertEquals(EntraTokens.SERVICEBUS_AUDIENCE, serviceBus.verify(tokens.get(1)).get("aud"));
        assertThrowsInvalid(() -> serviceBus.verify(tokens.get(0)));
        assertThrowsInvalid(() -> webPubSub.verify(tokens.get(1)));
        List<LocalEntraId.TokenRequest> asked = entra.requests().subList(before, entra.requests().size());
        assertEquals(List.of(new LocalEntraId.TokenRequest("https://webpubsub.azure.com", null),
                new LocalEntraId.TokenRequest("https://servicebus.azure.net", null)), asked);
    }

    @Test
    void aUserAssignedIdentityIsNamedByItsClientId() throws Exception {
        String clientId = "0f0e0d0c-0b0a-0908-0706-050403020100";
        List<String> tokens = tokensInAJvmOfItsOwn(Map.of("IDENTITY_ENDPOINT", entra.identityEndpoint(),
                "IDENTITY_HEADER", entra.identityHeader(), "AZURE_CLIENT_ID", clientId),
                "https://webpubsub.azure.com/.default");
        assertEquals(clientId, new EntraTokens(entra.issuer(), EntraTokens.WEBPUBSUB_AUDIENCE).verify(tokens.get(0))
                .get("appid"));
        assertEquals(clientId, entra.requests().get(entra.requests().size() - 1).clientId());
    }

    @Test
    void theEndpointRefusesCallersWithoutTheIdentityHeader() {
        HttpCalls.Answer answer = HttpCalls.call("GET", entra.identityEndpoint()
                + "?api-version=2019-08-01&resource=https://webpubsub.azure.com", Map.of(), null);
        assertEquals(401, answer.status());
        assertTrue(answer.json().has("message"));
        HttpCalls.Answer noResource = HttpCalls.call("GET", entra.identityEndpoint() + "?api-version=2019-08-01",
                Map.of("X-IDENTITY-HEADER", entra.identityHeader()), null);
        assertEquals(400, noResource.status());
        assertNotEquals(-1, noResource.body().indexOf("resource"));
    }

    private static void assertThrowsInvalid(org.junit.jupiter.api.function.Executable call) {
        org.junit.jupiter.api.Assertions.assertThrows(
                io.xregion.emulator.security.AccessKeyTokens.InvalidTokenException.class, call);
    }
}
