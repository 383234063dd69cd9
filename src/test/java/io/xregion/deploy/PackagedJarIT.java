package io.xregion.deploy;

import static io.xregion.deploy.Manifests.at;
import static io.xregion.deploy.Manifests.container;
import static io.xregion.deploy.Manifests.environment;
import static io.xregion.deploy.Manifests.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import io.xregion.testing.AuditSubscription;
import io.xregion.testing.ExternalServices;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.LocalOpenIdIssuer;
import io.xregion.testing.RunningApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar ({@code mvn verify} runs this after {@code package}) started the way the eastus Deployment starts
 * it: {@code java -jar} in a working directory of its own, the production profile, {@code application.properties}
 * and the routes from a "mounted" config directory named by the Deployment's CAMEL_MAIN_* variables, and every
 * variable of the rendered Deployment, the Secret's replaced by the connection strings of local emulators. The
 * probes and the Prometheus path the manifests name must answer, negotiate must hand out the region's instance,
 * publish must reach Service Bus, no key may appear in the output, and SIGTERM must end it within the grace period.
 */
class PackagedJarIT {

    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path deployments;

    private final ExternalServices services = new ExternalServices();
    private final LocalOpenIdIssuer issuer = new LocalOpenIdIssuer();
    private Process app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.destroyForcibly();
        }
        services.close();
        issuer.close();
    }

    @Test
    void startsInTheProductionProfileAsTheDeploymentRunsIt() throws Exception {
        Path jar = runnerJar();

        List<Map<String, Object>> rendered = Manifests.rendered("eastus");
        Map<String, Object> deployment = only(rendered, "StatefulSet");
        Map<String, Object> container = container(deployment);
        String configMount = mountPath(container, "config");
        Path config = Files.createDirectories(deployments.resolve("config"));
        // the generated ConfigMap the StatefulSet mounts, a file per key, as the kubelet writes it
        Map<String, String> configMap = at(only(rendered, "ConfigMap"), "data");
        for (Map.Entry<String, String> file : configMap.entrySet()) {
            Files.writeString(config.resolve(file.getKey()), file.getValue());
        }

        Map<String, String> settings = services.productionSettings();
        Map<String, String> env = new LinkedHashMap<>();
        environment(container).forEach((name, value) -> {
            if (value.startsWith("secret:")) {
                String key = value.substring(value.indexOf('/') + 1);
                env.put(name, settings.get(key));
            } else if (value.startsWith("field:")) {
                env.put(name, value.equals("field:metadata.name") ? "xregion-0" : "default");
            } else {
                env.put(name, value.replace(configMount, config.toString()));
            }
        });
        // what this test changes beyond the Deployment: free ports (Camel's camel.* keys take system properties, not
        // environment variables), and the local topic the emulators hold
        int port = RunningApp.freePort();
        int managementPort = RunningApp.freePort();
        env.put("XREGION_SERVICEBUS_ENTITY", settings.get("xregion.servicebus.entity"));
        env.put("XREGION_SERVICEBUS_ENTITY_TYPE", settings.get("xregion.servicebus.entity-type"));
        env.put("XREGION_SERVICEBUS_SUBSCRIPTION", settings.get("xregion.servicebus.subscription"));
        // and the failback leader's election: there is no Kubernetes API here (LeadershipConfigurationTest checks
        // the Lease settings), so the default file lock, under the outbox's volume
        env.put("XREGION_LEADERSHIP_SERVICE", "file");
        // and the identity provider: a local OpenID issuer in place of the Entra tenant the manifest names
        assertEquals("jwt", env.get("XREGION_WEBPUBSUB_NEGOTIATE_IDENTITY"), "negotiate behind a verified identity");
        env.put("XREGION_WEBPUBSUB_NEGOTIATE_JWT_ISSUER", issuer.issuer());
        String audience = env.get("XREGION_WEBPUBSUB_NEGOTIATE_JWT_AUDIENCE");

        File output = deployments.resolve("output.log").toFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + port, "-Dcamel.management.port=" + managementPort,
                "-jar", jar.toAbsolutePath().toString())
                .directory(deployments.toFile()).redirectErrorStream(true).redirectOutput(output);
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_"));
        builder.environment().putAll(env);
        app = builder.start();

        String management = "http://127.0.0.1:" + managementPort;
        String readiness = at(container, "readinessProbe", "httpGet", "path");
        String liveness = at(container, "livenessProbe", "httpGet", "path");
        Awaitility.await().atMost(START).pollInterval(Duration.ofMillis(250))
                .ignoreException(java.io.UncheckedIOException.class).until(() -> {
                    assertTrue(app.isAlive(), () -> "the jar exited:\n" + AppLog.sofar(output));
                    return HttpCalls.get(management + readiness).status() == 200;
                });
        assertEquals(200, HttpCalls.get(management + liveness).status());
        String metricsPath = at(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/path");
        HttpCalls.Answer metrics = HttpCalls.get(management + metricsPath);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body().contains("xregion_webpubsub_instance_up"), "xregion's own metrics are scraped");

        // without a token of the identity provider negotiate refuses; with one, eastus (this region) hands out the
        // eastus instance to the token's user
        HttpCalls.Answer anonymous = HttpCalls.get("http://127.0.0.1:" + port + "/negotiate?userId=deploy-check");
        assertEquals(401, anonymous.status(), anonymous.body());
        HttpCalls.Answer negotiate = HttpCalls.call("GET", "http://127.0.0.1:" + port + "/negotiate",
                Map.of("Authorization", "Bearer " + issuer.token(audience, Map.of("oid", "deploy-check"))), null);
        assertEquals(200, negotiate.status(), negotiate.body());
        assertTrue(negotiate.json().get("url").asText().contains(":" + services.eastWebPubSub.port() + "/"),
                negotiate.body());

        // publish goes to Service Bus (active replication: both namespaces)
        HttpCalls.Answer published = HttpCalls.call("POST", "http://127.0.0.1:" + port + "/publish",
                Map.of("Content-Type", "text/plain", "Idempotency-Key", "deploy-check-1"), "from the jar".getBytes());
        assertEquals(202, published.status(), published.body());
        List<String> received = AuditSubscription.messageIds(services.westServiceBus, 1, Duration.ofSeconds(20));
        assertEquals(List.of("deploy-check-1"), received);

        // Kubernetes stops a pod with SIGTERM and kills it after the grace period
        int grace = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        long stopping = System.nanoTime();
        app.destroy();
        assertTrue(app.waitFor(grace, TimeUnit.SECONDS), "stopped within the grace period of " + grace + " s");
        System.out.printf("packaged jar stopped %d ms after SIGTERM%n", (System.nanoTime() - stopping) / 1_000_000);

        // the output is the app's, from start to stop: only then does the absence of a key in it mean anything
        String log = AppLog.ofAppThatRan(output, List.of("starting with profile: production",
                "Web PubSub instance eastus is now UP", "(xregion) shutdown in"));
        assertFalse(log.contains("Dev profile"), "no local emulators in the production profile");
        for (String value : List.of(settings.get("xregion.webpubsub.eastus.connection-string"),
                settings.get("xregion.servicebus.westus.connection-string"))) {
            String key = value.replaceAll(".*(AccessKey|SharedAccessKey)=([^;]+).*", "$2");
            assertFalse(log.contains(key), "a key appears in the output");
        }
    }

    @Test
    void theRunnerJarHoldsNoLocalAzureAndNoDevProfile() throws Exception {
        Path jar = runnerJar();
        List<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = file.stream().map(JarEntry::getName).toList();
        }
        assertTrue(entries.contains("io/xregion/XRegionApp.class"), "the app is in the runner jar");
        List<String> devOnly = entries.stream().filter(name -> name.startsWith("io/xregion/emulator/")
                || name.startsWith("io/xregion/dev/") || name.equals("application-dev.properties")
                || name.equals("META-INF/services/io.xregion.config.ProfileSetup")).toList();
        assertEquals(List.of(), devOnly, "the runner jar is production only");

        // asked for the dev profile anyway, it stops at once and says why (working directory as in the image)
        Files.copy(Manifests.PROJECT.resolve("application.properties"), deployments.resolve("application.properties"));
        Path routes = Files.createDirectories(deployments.resolve("routes"));
        for (String route : Manifests.routeFiles()) {
            Files.copy(Manifests.PROJECT.resolve("routes").resolve(route), routes.resolve(route));
        }
        File output = deployments.resolve("dev.log").toFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + RunningApp.freePort(), "-Dcamel.management.port=" + RunningApp.freePort(),
                "-jar", jar.toAbsolutePath().toString()).directory(deployments.toFile()).redirectErrorStream(true)
                .redirectOutput(output);
        builder.environment().keySet().removeIf(k -> k.startsWith("XREGION_") || k.startsWith("CAMEL_"));
        builder.environment().put("CAMEL_MAIN_PROFILE", "dev");
        app = builder.start();
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the jar must stop by itself");
        assertTrue(AppLog.sofar(output).contains("the runner jar is production only"), () -> AppLog.sofar(output));
    }

    private static Path runnerJar() {
        Path jar = Path.of(System.getProperty("xregion.runnerJar", "target/xregion-0.1.0-SNAPSHOT-runner.jar"));
        assertTrue(Files.isRegularFile(jar), "run mvn verify (it packages " + jar + " first)");
        return jar;
    }

    private static String mountPath(Map<String, Object> container, String volume) {
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        return mounts.stream().filter(m -> volume.equals(m.get("name"))).map(m -> (String) m.get("mountPath"))
                .findFirst().orElseThrow();
    }
}
