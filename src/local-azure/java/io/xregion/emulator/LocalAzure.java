package io.xregion.emulator;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.xregion.emulator.localazure.CommandLine;
import io.xregion.emulator.localazure.ConnectionFiles;
import io.xregion.emulator.localazure.ControlApi;
import io.xregion.emulator.localazure.Emulators;
import io.xregion.emulator.localazure.FaultControl;
import io.xregion.emulator.localazure.InvalidSettingsException;
import io.xregion.emulator.localazure.ListenFailure;
import io.xregion.emulator.localazure.LocalAzureConfig;
import io.xregion.emulator.localazure.LocalAzureSettings;
import io.xregion.emulator.localazure.Summary;
import io.xregion.emulator.security.LocalTls;

/**
 * The local Azure on its own: any number of Web PubSub instances and Service Bus namespaces from a properties file,
 * for several app servers (one per region) and anyone's producers and consumers to share. It prints their connection
 * strings and writes them where an app server's production profile reads them (a secrets directory, an env file),
 * and serves a fault-control API of its own.
 *
 * <pre>
 *   java -jar target/xregion-&lt;version&gt;-local-azure.jar [file] [key=value...]
 *   mvn -q -Plocal-azure compile exec:java
 * </pre>
 */
public final class LocalAzure implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalAzure.class);
    /** Settings that cannot be used, a port taken included: the user's to fix, told without a stack trace. */
    private static final int EXIT_BAD_SETTINGS = 2;

    private final Emulators emulators;
    private final FaultControl control;
    private final ControlApi controlApi;
    private final ConnectionFiles files;
    private final Map<String, String> connectionStrings;
    private final LocalTls tls;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private LocalAzure(Emulators emulators, FaultControl control, ControlApi controlApi, ConnectionFiles files,
            Map<String, String> connectionStrings, LocalTls tls) {
        this.tls = tls;
        this.emulators = emulators;
        this.control = control;
        this.controlApi = controlApi;
        this.files = files;
        this.connectionStrings = connectionStrings;
    }

    public static void main(String[] args) throws InterruptedException {
        if (CommandLine.helpRequested(args)) {
            System.out.println(CommandLine.USAGE);
            return;
        }
        LocalAzure localAzure;
        try {
            localAzure = start(CommandLine.settings(args, Path.of("")));
        } catch (InvalidSettingsException e) {
            e.problems().forEach(problem -> System.err.println("local-azure: " + problem));
            System.exit(EXIT_BAD_SETTINGS);
            return;
        }
        // printed, not logged: log4j's own shutdown hook may have stopped logging by the time this one runs
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            localAzure.close();
            System.out.println("Local Azure stopped");
        }, "local-azure-shutdown"));
        System.out.println(new Summary(localAzure.emulators, localAzure.controlUrl(), localAzure.files,
                localAzure.connectionStrings));
        if (localAzure.tls != null) {
            System.out.println("TLS: clients trust " + localAzure.tls.trustStore() + " (PKCS12, password "
                    + LocalTls.TRUST_PASSWORD + "), e.g. java -Djavax.net.ssl.trustStore=" + localAzure.tls.trustStore()
                    + " -Djavax.net.ssl.trustStorePassword=" + LocalTls.TRUST_PASSWORD
                    + " -Djavax.net.ssl.trustStoreType=PKCS12 ...\n");
        }
        localAzure.closed.await();
    }

    /** Starts the local Azure these settings describe (the keys of local-azure.properties). */
    public static LocalAzure start(Map<String, String> settings) {
        return start(LocalAzureSettings.parse(settings));
    }

    public static LocalAzure start(LocalAzureConfig config) {
        ConnectionFiles files = new ConnectionFiles(config.outputDirectory());
        try {
            files.removeStale();
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new InvalidSettingsException(List.of(LocalAzureSettings.OUTPUT_DIRECTORY + ": "
                    + e.getMessage()));
        }
        LocalTls tls = config.tls().isEmpty() ? null : localTls(config);
        Emulators emulators = startEmulators(config, tls);
        ControlApi controlApi = null;
        try {
            FaultControl control = new FaultControl(emulators);
            controlApi = ControlApi.start(control, config.controlHost(), config.controlPort());
            Map<String, String> connectionStrings = connectionStrings(emulators);
            files.write(connectionStrings, controlApi.url());
            LOG.info("Local Azure started: {} Web PubSub instance(s), {} Service Bus namespace(s), control API {}",
                    emulators.webPubSub().size(), emulators.serviceBus().size(), controlApi.url());
            return new LocalAzure(emulators, control, controlApi, files, connectionStrings, tls);
        } catch (RuntimeException e) {
            if (controlApi != null) {
                controlApi.close();
            }
            emulators.close();
            try {
                files.remove();
            } catch (UncheckedIOException removal) {
                e.addSuppressed(removal);
            }
            if (e instanceof ListenFailure failure) {
                throw new InvalidSettingsException(List.of(listenProblem(LocalAzureSettings.CONTROL_HOST,
                        LocalAzureSettings.CONTROL_PORT, failure)));
            }
            if (e instanceof UncheckedIOException failure) {
                throw new InvalidSettingsException(List.of(LocalAzureSettings.OUTPUT_DIRECTORY + ": "
                        + failure.getMessage()));
            }
            throw e;
        }
    }

    /**
     * One certificate for every instance and namespace that serves TLS, for each one's host, in
     * {@code <output.directory>/tls/}; clients trust {@code truststore.p12} (password {@link LocalTls#TRUST_PASSWORD}).
     */
    private static LocalTls localTls(LocalAzureConfig config) {
        List<String> hosts = new ArrayList<>();
        config.webPubSub().forEach(options -> hosts.add(options.host()));
        config.serviceBus().forEach(options -> hosts.add(options.host()));
        try {
            return LocalTls.create(config.outputDirectory().resolve("tls"), hosts.stream().distinct().toList());
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidSettingsException(List.of(LocalAzureSettings.OUTPUT_DIRECTORY + ": " + e.getMessage()));
        }
    }

    private static Emulators startEmulators(LocalAzureConfig config, LocalTls tls) {
        Emulators.Builder builder = Emulators.builder();
        config.webPubSub().forEach(options -> builder.webPubSub(
                config.tls().contains("webpubsub." + options.name()) ? options.withTls(tls) : options));
        config.serviceBus().forEach(options -> builder.serviceBus(
                config.tls().contains("servicebus." + options.name()) ? options.withTls(tls) : options));
        try {
            return builder.start();
        } catch (ListenFailure failure) {
            String prefix = (failure.service() == ListenFailure.Service.WEBPUBSUB ? "webpubsub." : "servicebus.")
                    + failure.name();
            throw new InvalidSettingsException(List.of(listenProblem(prefix + ".host", prefix + ".port",
                    failure)));
        }
    }

    /** A taken port is the port setting's problem; any other failure to listen, the address's. */
    private static String listenProblem(String hostKey, String portKey, ListenFailure failure) {
        return failure.addressInUse() ? portKey + ": " + failure.getMessage() + "; choose another port, or 0 for a "
                + "free one" : hostKey + ": " + failure.getMessage();
    }

    /** The app's keys for them: xregion.webpubsub.<instance>.connection-string, xregion.servicebus.<namespace>... */
    private static Map<String, String> connectionStrings(Emulators emulators) {
        Map<String, String> keys = new LinkedHashMap<>();
        emulators.webPubSub().forEach((name, emulator) -> keys.put("xregion.webpubsub." + name
                + ".connection-string", emulator.connectionString()));
        emulators.serviceBus().forEach((name, emulator) -> keys.put("xregion.servicebus." + name
                + ".connection-string", emulator.connectionString()));
        return keys;
    }

    public Emulators emulators() {
        return emulators;
    }

    /** The fault switches and state the control API serves, for callers in the same JVM. */
    public FaultControl control() {
        return control;
    }

    public URI controlUrl() {
        return controlApi.url();
    }

    /** The connection strings by the app's keys (they hold the keys: do not log them). */
    public Map<String, String> connectionStrings() {
        return connectionStrings;
    }

    /** The certificate the TLS instances and namespaces serve, or null when none does. */
    public LocalTls tls() {
        return tls;
    }

    public ConnectionFiles files() {
        return files;
    }

    /** Stops the control API and every emulator, then removes the connection files; once, whoever calls first. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            controlApi.close();
            emulators.close();
            files.remove();
            if (tls != null) {
                tls.remove();
            }
        } finally {
            closed.countDown();
        }
    }
}
