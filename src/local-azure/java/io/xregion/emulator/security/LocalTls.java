package io.xregion.emulator.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed TLS certificate for the local Azure, and a trust store holding it that clients (the app, the tests,
 * any SDK) pass as {@code javax.net.ssl.trustStore}: the Web PubSub SDKs send Bearer tokens only over https, and the
 * Service Bus SDK speaks AMQP over TLS with an Entra credential.
 *
 * <p>Made with the JDK's own {@code keytool} in a subprocess: the JDK has no public API to issue a certificate, and
 * Vert.x's {@code SelfSignedCertificate} needs BouncyCastle or the JDK's internal {@code sun.security.x509} (closed on
 * Java 17). Both stores are PKCS12; the key store's password is random, the trust store's is {@link #TRUST_PASSWORD}
 * (it holds no secret).
 *
 * @param keyStore    the server's key and certificate (PKCS12)
 * @param password    the key store's password
 * @param trustStore  the certificate alone (PKCS12), for clients
 */
public record LocalTls(Path keyStore, String password, Path trustStore) {

    /** The trust store's password: a trust store only holds a public certificate. */
    public static final String TRUST_PASSWORD = "local-azure";
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+|[0-9a-fA-F:]+");
    private static final Pattern IP_V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * A new certificate for these host names and addresses (and always {@code localhost} and {@code 127.0.0.1}),
     * valid for 30 days, in {@code keystore.p12} and {@code truststore.p12} under the directory.
     */
    public static LocalTls create(Path directory, List<String> hosts) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        names.addAll(hosts);
        List<String> san = new ArrayList<>();
        for (String host : names) {
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("not a host name or address: " + host);
            }
            san.add((IP_V4.matcher(host).matches() || host.contains(":") ? "ip:" : "dns:") + host);
        }
        try {
            Files.createDirectories(directory);
            Path keyStore = directory.resolve("keystore.p12");
            Path certificate = directory.resolve("local-azure.crt");
            Path trustStore = directory.resolve("truststore.p12");
            for (Path stale : List.of(keyStore, certificate, trustStore)) {
                Files.deleteIfExists(stale);
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            keytool("-genkeypair", "-alias", "local-azure", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                    "-dname", "CN=localhost, O=xregion local Azure", "-ext", "SAN=" + String.join(",", san),
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass:env", "LOCAL_AZURE_PASS",
                    "-keypass:env", "LOCAL_AZURE_PASS", password);
            keytool("-exportcert", "-rfc", "-alias", "local-azure", "-keystore", keyStore.toString(),
                    "-storetype", "PKCS12", "-storepass:env", "LOCAL_AZURE_PASS", "-file", certificate.toString(),
                    password);
            keytool("-importcert", "-noprompt", "-alias", "local-azure", "-file", certificate.toString(),
                    "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", TRUST_PASSWORD,
                    password);
            return new LocalTls(keyStore, password, trustStore);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the local TLS certificate: " + e.getMessage(), e);
        }
    }

    /** Deletes the stores and the certificate (the directory too, when nothing else is left in it). */
    public void remove() {
        try {
            Files.deleteIfExists(keyStore);
            Files.deleteIfExists(keyStore.resolveSibling("local-azure.crt"));
            Files.deleteIfExists(trustStore);
            try (var left = Files.list(keyStore.getParent())) {
                if (left.findAny().isEmpty()) {
                    Files.delete(keyStore.getParent());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The server side: this certificate, TLS 1.2 and 1.3. */
    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the local TLS key store: " + e.getMessage(), e);
        }
    }

    /** A client side that trusts this certificate (and nothing else). */
    public SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, TRUST_PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the local TLS trust store: " + e.getMessage(), e);
        }
    }

    /** Runs keytool; the key store password travels in the environment, never on a command line. */
    private static void keytool(Object... argsAndPassword) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (int i = 0; i < argsAndPassword.length - 1; i++) {
            command.add((String) argsAndPassword[i]);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("LOCAL_AZURE_PASS", (String) argsAndPassword[argsAndPassword.length - 1]);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran");
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed (" + process.exitValue() + "): " + output);
        }
    }
}
