package io.xregion.deploy;

import static io.xregion.deploy.Manifests.at;
import static io.xregion.deploy.Manifests.container;
import static io.xregion.deploy.Manifests.containerPort;
import static io.xregion.deploy.Manifests.environment;
import static io.xregion.deploy.Manifests.environmentName;
import static io.xregion.deploy.Manifests.only;
import static io.xregion.deploy.Manifests.property;
import static io.xregion.deploy.Manifests.rendered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes install checked offline: every manifest parses, each overlay renders, and what the manifests name
 * (ports, probe and metrics paths, environment variables, Secret keys, the generated ConfigMap and its mount, the
 * outbox volumes, the leader election's RBAC, the disruption budget and the topology spread) agrees with what the
 * application reads and serves. {@link PackagedJarIT} then runs the packaged jar with the same
 * environment.
 */
@Tag("slow")
class DeploymentManifestsTest {

    static final List<String> REGIONS = Manifests.REGIONS;

    @Test
    void everyManifestParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Manifests.K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(files.size() >= 8, "manifests found: " + files);
        for (Path file : files) {
            List<Map<String, Object>> documents = Manifests.documents(file);
            assertFalse(documents.isEmpty(), file + " is empty");
            if (file.getFileName().toString().equals("pod-template.yaml")) {
                // a PodSpec for kamel run --pod-template, not a resource: the CRD requires its containers
                assertNotNull(documents.get(0).get("containers"), file + " is a PodSpec with containers");
                continue;
            }
            if (file.getFileName().toString().equals("kustomizeconfig.yaml")) {
                // kustomize's own configuration (where an Integration names a ConfigMap), not a resource
                assertNotNull(documents.get(0).get("nameReference"), file + " holds name references");
                continue;
            }
            for (Map<String, Object> document : documents) {
                assertNotNull(document.get("apiVersion"), file + " has a document without apiVersion");
                assertNotNull(document.get("kind"), file + " has a document without kind");
            }
        }
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void eachOverlayRendersOneAppServerForItsRegion(String region) {
        List<Map<String, Object>> resources = rendered(region);
        assertEquals(Set.of("StatefulSet", "Service", "Ingress", "ServiceAccount", "Role", "RoleBinding", "ConfigMap",
                "PodDisruptionBudget"),
                resources.stream().map(r -> (String) r.get("kind")).collect(Collectors.toSet()));
        for (Map<String, Object> resource : resources) {
            assertEquals(region, at(resource, "metadata", "labels", "xregion.io/region"), resource.get("kind") + " label");
        }
        Map<String, String> env = environment(container(only(resources, "StatefulSet")));
        String other = REGIONS.stream().filter(r -> !r.equals(region)).findFirst().orElseThrow();
        assertEquals("prod", env.get("CAMEL_MAIN_PROFILE"), "the production profile, by Camel's own variable");
        assertEquals(region, env.get(environmentName("xregion.webpubsub.primary")));
        assertEquals(region, env.get(environmentName("xregion.servicebus.primary")));
        assertEquals(other, env.get(environmentName("xregion.servicebus.secondary")));
        assertTrue(List.of(property("xregion.webpubsub.instances").split(",")).contains(region),
                region + " is one of xregion.webpubsub.instances");
        // the production profile would refuse anonymous negotiate: the install verifies its users' tokens
        assertEquals("jwt", env.get(environmentName("xregion.webpubsub.negotiate.identity")));
        assertTrue(env.get(environmentName("xregion.webpubsub.negotiate.jwt.issuer")).startsWith("https://"));
        assertEquals(null, env.get(environmentName("xregion.webpubsub.negotiate.allow-anonymous")));

        // this region's Web PubSub instance calls this region's event handler, through this region's ingress
        Map<String, Object> ingress = only(resources, "Ingress");
        String host = at(ingress, "spec", "rules", 0, "host");
        assertTrue(host.contains(region), host);
        assertEquals("https://" + host + "/eventhandler",
                at(ingress, "metadata", "annotations", "xregion.io/event-handler-url"));
        assertEquals(List.of(host), at(ingress, "spec", "tls", 0, "hosts"), "the certificate covers the host");
        assertEquals(region, at(only(resources, "StatefulSet"), "spec", "template", "metadata", "labels",
                "xregion.io/region"), "the pods carry their region");
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void environmentVariablesAreThePropertiesTheAppReads(String region) {
        Map<String, String> env = environment(container(only(rendered(region), "StatefulSet")));
        Set<String> known = Manifests.applicationProperties().stringPropertyNames().stream()
                .map(Manifests::environmentName).collect(Collectors.toSet());
        TreeSet<String> fromSecret = new TreeSet<>();
        env.forEach((name, value) -> {
            if (value.startsWith("field:")) {
                // the pod's own name and namespace, from the downward API
                assertTrue(known.contains(name), name + " overrides no key of application.properties");
                assertTrue(List.of("field:metadata.name", "field:metadata.namespace").contains(value), value);
            } else if (value.startsWith("secret:")) {
                // the Secret key is the property itself, so the same Secret also works mounted as properties
                String key = value.substring(value.indexOf('/') + 1);
                assertEquals("secret:xregion-connections/" + key, value);
                assertEquals(environmentName(key), name, "variable for Secret key " + key);
                fromSecret.add(key);
            } else if (name.startsWith("XREGION_")) {
                assertTrue(known.contains(name), name + " overrides no key of application.properties");
            } else {
                assertTrue(name.startsWith("CAMEL_MAIN_"), "unexpected variable " + name);
            }
        });
        assertEquals(Manifests.connectionStringProperties(), fromSecret,
                "every connection string the production profile requires comes from the Secret");
    }

    @Test
    void secretTemplateHoldsExactlyTheConnectionStringsAndNoValues() {
        Map<String, Object> secret = only(Manifests.documents(Manifests.K8S.resolve("base/secret.template.yaml")),
                "Secret");
        assertEquals("xregion-connections", at(secret, "metadata", "name"));
        Map<String, String> data = at(secret, "stringData");
        assertEquals(Manifests.connectionStringProperties(), new TreeSet<>(data.keySet()));
        data.values().forEach(v -> assertTrue(v.startsWith("<") && v.endsWith(">"), "placeholder, not a value: " + v));
        String kustomization = Manifests.read(Manifests.K8S.resolve("base/kustomization.yaml"));
        assertFalse(kustomization.contains("- secret.template.yaml"), "the template is never applied");
    }

    @Test
    void portsProbesAndMetricsMatchTheServers() {
        Map<String, Object> deployment = only(rendered("eastus"), "StatefulSet");
        Map<String, Object> container = container(deployment);
        int http = Integer.parseInt(property("camel.server.port"));
        int management = Integer.parseInt(property("camel.management.port"));
        assertEquals(http, containerPort(container, "http"));
        assertEquals(management, containerPort(container, "management"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals("management", at(container, probe, "httpGet", "port"), probe);
        }
        assertEquals("/observe/health/live", at(container, "livenessProbe", "httpGet", "path"));
        assertEquals("/observe/health/ready", at(container, "readinessProbe", "httpGet", "path"));
        assertEquals("/observe/health/live", at(container, "startupProbe", "httpGet", "path"));
        Map<String, String> annotations = at(deployment, "spec", "template", "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(management), annotations.get("prometheus.io/port"));
        assertEquals("/observe/metrics", annotations.get("prometheus.io/path"));
        assertEquals("true", property("camel.management.health-check-enabled"));
        assertEquals("true", property("camel.management.metrics-enabled"));
        assertEquals(List.of(http + " " + management), Manifests.dockerfile("EXPOSE"));
    }

    @Test
    void serviceAndIngressReachTheContainer() {
        List<Map<String, Object>> resources = rendered("eastus");
        Map<String, Object> deployment = only(resources, "StatefulSet");
        Map<String, Object> service = Manifests.named(resources, "Service", "xregion");
        Map<String, String> podLabels = at(deployment, "spec", "template", "metadata", "labels");
        Map<String, String> selector = at(service, "spec", "selector");
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "Service selects the pods: " + selector);
        List<Map<String, Object>> servicePorts = at(service, "spec", "ports");
        for (Map<String, Object> port : servicePorts) {
            containerPort(container(deployment), (String) port.get("targetPort"));
        }
        Map<String, Object> ingress = only(resources, "Ingress");
        List<Map<String, Object>> paths = at(ingress, "spec", "rules", 0, "http", "paths");
        TreeSet<String> exposed = new TreeSet<>();
        for (Map<String, Object> path : paths) {
            exposed.add((String) path.get("path"));
            String serviceName = at(service, "metadata", "name");
            assertEquals(serviceName, at(path, "backend", "service", "name"));
            String portName = at(path, "backend", "service", "port", "name");
            assertTrue(servicePorts.stream().anyMatch(p -> portName.equals(p.get("name"))), portName);
        }
        // only what clients and Web PubSub call is public; broadcast and publish stay inside the cluster
        assertEquals(new TreeSet<>(List.of("/eventhandler", "/negotiate")), exposed);
        assertTrue(Manifests.servedPaths().containsAll(exposed), "served: " + Manifests.servedPaths());
    }

    @Test
    void configMapMountOutboxVolumeAndUserMatchTheImage() {
        List<Map<String, Object>> resources = rendered("westus");
        Map<String, Object> deployment = only(resources, "StatefulSet");
        Map<String, Object> container = container(deployment);
        Map<String, String> env = environment(container);
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        List<Map<String, Object>> volumes = at(deployment, "spec", "template", "spec", "volumes");
        String workdir = Manifests.dockerfile("WORKDIR").get(Manifests.dockerfile("WORKDIR").size() - 1);

        String configPath = mountPath(mounts, "config");
        assertEquals((String) at(only(resources, "ConfigMap"), "metadata", "name"),
                at(volume(volumes, "config"), "configMap", "name"));
        assertEquals("file:" + configPath + "/application.properties", env.get("CAMEL_MAIN_PROPERTY_PLACEHOLDER_LOCATION"));
        // the same file pattern as application.properties, under the mount: the ConfigMap holds the files flat
        String pattern = property("camel.main.routes-include-pattern");
        assertEquals(pattern.replace("file:routes/", "file:" + configPath + "/"),
                env.get("CAMEL_MAIN_ROUTESINCLUDEPATTERN"));

        // the relative outbox directory lands on a persistent volume of the pod's own: a claim per replica, so the
        // replicas roll one at a time and no two JVMs share an outbox
        String outbox = Path.of(workdir).resolve(property("xregion.servicebus.outbox.directory")).toString();
        String outboxMount = mountPath(mounts, "outbox");
        assertTrue(outbox.startsWith(outboxMount + "/"), outbox + " is under " + outboxMount);
        assertTrue(volumes.stream().noneMatch(v -> "outbox".equals(v.get("name"))), "no shared outbox volume");
        List<Map<String, Object>> claims = at(deployment, "spec", "volumeClaimTemplates");
        assertEquals(List.of("outbox"), claims.stream().map(c -> (String) at(c, "metadata", "name")).toList());
        assertEquals(List.of("ReadWriteOnce"), at(claims.get(0), "spec", "accessModes"));
        assertEquals(2, (Integer) at(deployment, "spec", "replicas"));
        assertEquals("RollingUpdate", at(deployment, "spec", "updateStrategy", "type"));
        assertEquals("Retain", at(deployment, "spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"),
                "a scaled-down replica's outbox is kept");
        assertTrue(resources.stream().noneMatch(r -> "PersistentVolumeClaim".equals(r.get("kind"))));
        // the governing Service is headless and selects the pods
        Map<String, Object> governing = Manifests.named(resources, "Service",
                at(deployment, "spec", "serviceName"));
        assertEquals("None", at(governing, "spec", "clusterIP"));
        Map<String, String> podLabels = at(deployment, "spec", "template", "metadata", "labels");
        Map<String, String> selector = at(governing, "spec", "selector");
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()));

        String user = Manifests.dockerfile("USER").get(0).split(":")[0];
        Integer runAsUser = at(deployment, "spec", "template", "spec", "securityContext", "runAsUser");
        assertEquals(Integer.valueOf(user), runAsUser);
    }

    @Test
    void gracePeriodCoversPreStopAndCamelShutdown() {
        Map<String, Object> deployment = only(rendered("eastus"), "StatefulSet");
        int grace = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        List<String> preStop = at(container(deployment), "lifecycle", "preStop", "exec", "command");
        assertEquals("sleep", preStop.get(0));
        int shutdown = Integer.parseInt(property("camel.main.shutdown-timeout"));
        assertTrue(grace >= Integer.parseInt(preStop.get(1)) + shutdown + 10,
                "grace " + grace + " s covers preStop " + preStop.get(1) + " s + Camel shutdown " + shutdown + " s");
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void camelKIntegrationRunsTheSameFilesEnvironmentAndProbes(String region) {
        Map<String, Object> integration = Manifests.integration(region);
        assertEquals("camel.apache.org/v1", integration.get("apiVersion"));
        Map<String, Object> deployment = only(rendered(region), "StatefulSet");
        Map<String, Object> container = container(deployment);
        Map<String, Object> traits = at(integration, "spec", "traits");

        // the same generated ConfigMap, where the StatefulSet mounts it, through the pod template (the mount trait
        // names a ConfigMap inside a string kustomize cannot rewrite with the hashed name)
        String configPath = mountPath(at(container, "volumeMounts"), "config");
        Map<String, Object> configMap = only(Manifests.kustomize(Manifests.K8S.resolve("camel-k").resolve(region)),
                "ConfigMap");
        assertEquals((Map<String, Object>) at(configMap, "data"), at(only(rendered(region), "ConfigMap"), "data"));
        assertEquals((String) at(configMap, "metadata", "name"),
                at(volume(at(integration, "spec", "template", "spec", "volumes"), "config"), "configMap", "name"));
        assertEquals(configPath, mountPath(at(integration, "spec", "template", "spec", "containers", 0,
                "volumeMounts"), "config"));
        Map<String, Object> mount = at(traits, "mount");
        assertEquals(null, mount.get("resources"), "no file mounted from a ConfigMap by name");
        assertEquals(null, mount.get("configs"), "no file mounted from a ConfigMap by name");

        // the same environment as the StatefulSet of this region, secrets included, but the Lease election: one
        // replica, its own failback leader by the default file lock
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        List<String> entries = at(traits, "environment", "vars");
        for (String entry : entries) {
            vars.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
        }
        Map<String, String> plain = new java.util.LinkedHashMap<>(environment(container));
        plain.keySet().removeIf(name -> name.startsWith("XREGION_LEADERSHIP_"));
        assertEquals(plain, vars);
        assertEquals("file", property("xregion.leadership.service"));
        assertEquals(1, (Integer) at(integration, "spec", "replicas"), "one outbox claim, so one replica");
        String leadershipRoot = Path.of(Manifests.dockerfile("WORKDIR").get(Manifests.dockerfile("WORKDIR").size() - 1))
                .resolve(property("xregion.leadership.file.root")).toString();
        assertTrue(leadershipRoot.startsWith(mountPath(at(container, "volumeMounts"), "outbox") + "/"),
                "the lock file is on a writable volume: " + leadershipRoot);

        assertEquals(containerPort(container, "http"), (Integer) at(traits, "container", "port"));
        int management = containerPort(container, "management");
        assertEquals(management, (Integer) at(traits, "health", "livenessPort"));
        assertEquals(management, (Integer) at(traits, "health", "readinessPort"));
        assertEquals(management, (Integer) at(traits, "health", "startupPort"));
        assertEquals((String) at(container, "startupProbe", "httpGet", "path"), at(traits, "health", "startupProbe"));
        assertEquals((String) at(container, "livenessProbe", "httpGet", "path"), at(traits, "health", "livenessProbe"));
        assertEquals((String) at(container, "readinessProbe", "httpGet", "path"), at(traits, "health", "readinessProbe"));
        assertEquals(Boolean.TRUE, at(traits, "health", "enabled"));
        assertEquals((String) at(container, "image"), at(traits, "container", "image"));
        List<String> volumes = at(traits, "mount", "volumes");
        Map<String, Object> claim = only(Manifests.kustomize(Manifests.K8S.resolve("camel-k").resolve(region)),
                "PersistentVolumeClaim");
        assertEquals(List.of(at(claim, "metadata", "name") + ":" + mountPath(at(container, "volumeMounts"), "outbox")),
                volumes);
        // the camel trait's runtime version names a Camel Quarkus catalog, which a camel-main image must not claim
        assertTrue(traits.get("camel") == null || at(traits, "camel", "runtimeVersion") == null);

        // the same Service ports, public paths and host, one pod at a time, the outbox writable by the image's user
        assertEquals(containerPort(container, "http"), (Integer) at(traits, "container", "servicePort"));
        assertEquals(List.of("management;" + management + ";" + management), at(traits, "service", "ports"));
        Map<String, Object> ingress = only(rendered(region), "Ingress");
        List<Map<String, Object>> paths = at(ingress, "spec", "rules", 0, "http", "paths");
        assertEquals(paths.stream().map(p -> p.get("path")).toList(), at(traits, "ingress", "paths"));
        assertEquals((String) at(ingress, "spec", "rules", 0, "host"), at(traits, "ingress", "host"));
        assertEquals((List<String>) at(traits, "ingress", "tlsHosts"), at(ingress, "spec", "tls", 0, "hosts"));
        assertEquals((String) at(ingress, "spec", "tls", 0, "secretName"), at(traits, "ingress", "tlsSecretName"));
        assertEquals("Recreate", at(traits, "deployment", "strategy"));

        // the pod: what no trait sets is merged in from spec.template, the same as the StatefulSet's pod
        Map<String, Object> podTemplate = withoutConfig(at(integration, "spec", "template", "spec"));
        Map<String, Object> pod = at(deployment, "spec", "template", "spec");
        assertEquals((Map<String, Object>) pod.get("securityContext"), podTemplate.get("securityContext"));
        assertEquals("xregion", pod.get("serviceAccountName"), "the plain install's pods run for the Lease election");
        assertEquals((Integer) pod.get("terminationGracePeriodSeconds"), podTemplate.get("terminationGracePeriodSeconds"));
        Map<String, Object> merged = at(podTemplate, "containers", 0);
        // Camel K's container is named "integration" unless the container trait names it otherwise
        assertEquals(traits.get("container") instanceof Map<?, ?> c && c.get("name") != null ? c.get("name")
                : "integration", merged.get("name"), "the pod template's container merges into Camel K's");
        assertEquals((Map<String, Object>) container.get("lifecycle"), merged.get("lifecycle"));
        assertEquals((Map<String, Object>) container.get("securityContext"), merged.get("securityContext"));
        String tmp = mountPath(at(container, "volumeMounts"), "tmp");
        assertEquals(tmp, mountPath(at(merged, "volumeMounts"), "tmp"));
        assertEquals((Map<String, Object>) volume(at(pod, "volumes"), "tmp"), volume(at(podTemplate, "volumes"), "tmp"));
        // kamel run --pod-template reads the same PodSpec from its own file, but the ConfigMap (kamel run --resource)
        assertEquals(podTemplate, Manifests.documents(Manifests.K8S.resolve("camel-k/pod-template.yaml")).get(0));

        // Prometheus finds the pods as it finds the StatefulSet's: the owner trait copies the annotations onto them
        Map<String, String> scrape = at(deployment, "spec", "template", "metadata", "annotations");
        Map<String, String> annotations = at(integration, "metadata", "annotations");
        scrape.forEach((name, value) -> assertEquals(value, annotations.get(name), name));
        assertEquals(new TreeSet<>(scrape.keySet()), new TreeSet<>((List<String>) at(traits, "owner",
                "targetAnnotations")));
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void theGeneratedConfigMapHoldsTheAppsFilesAndTheStatefulSetMountsItByItsHashedName(String region) {
        List<Map<String, Object>> resources = rendered(region);
        Map<String, Object> configMap = only(resources, "ConfigMap");
        String name = at(configMap, "metadata", "name");
        assertTrue(name.matches("xregion-config-[a-z0-9]{6,}"), "a hash of the content in the name: " + name);
        assertEquals(Boolean.TRUE, configMap.get("immutable"), "a running pod's files never change under it");
        // application.properties and every routes/*.camel.yaml, byte for byte, and nothing of routes/dev/
        Map<String, String> data = at(configMap, "data");
        TreeSet<String> expected = new TreeSet<>(Manifests.routeFiles());
        expected.add("application.properties");
        assertEquals(expected, new TreeSet<>(data.keySet()), "k8s/config/kustomization.yaml lists exactly "
                + "application.properties and routes/*.camel.yaml (add a new route file there)");
        assertEquals(Manifests.read(Manifests.PROJECT.resolve("application.properties")),
                data.get("application.properties"));
        for (String route : Manifests.routeFiles()) {
            assertEquals(Manifests.read(Manifests.PROJECT.resolve("routes").resolve(route)), data.get(route), route);
        }
        try (Stream<Path> dev = Files.list(Manifests.PROJECT.resolve("routes/dev"))) {
            dev.forEach(file -> assertFalse(data.containsKey(file.getFileName().toString()), file + " is dev only"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // the StatefulSet mounts it under that name, where the app reads its files
        Map<String, Object> statefulSet = only(resources, "StatefulSet");
        List<Map<String, Object>> volumes = at(statefulSet, "spec", "template", "spec", "volumes");
        assertEquals(name, at(volume(volumes, "config"), "configMap", "name"));
    }

    @Test
    void anEditedRouteMakesANewConfigMapNameAndSoRollsThePods(@TempDir Path copy) throws IOException {
        // a copy of what the renders read, edited there: the project's own files stay as they are
        for (String top : List.of("k8s", "routes")) {
            try (Stream<Path> files = Files.walk(Manifests.PROJECT.resolve(top))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = copy.resolve(Manifests.PROJECT.relativize(file));
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
        Files.copy(Manifests.PROJECT.resolve("application.properties"), copy.resolve("application.properties"));
        Map<String, Object> before = podTemplateAndConfigMap(copy);

        String route = Manifests.routeFiles().first();
        Files.writeString(copy.resolve("routes").resolve(route), "# an edit\n", StandardOpenOption.APPEND);
        Map<String, Object> afterRoute = podTemplateAndConfigMap(copy);
        assertNotEquals(before.get("name"), afterRoute.get("name"), "an edit of " + route + " makes a new ConfigMap");
        assertNotEquals(before.get("statefulSet"), afterRoute.get("statefulSet"),
                "the StatefulSet's pod template names the new ConfigMap, so the pods roll");
        assertNotEquals(before.get("integration"), afterRoute.get("integration"),
                "the Integration's pod template names it too, so Camel K redeploys");

        Files.writeString(copy.resolve("application.properties"), "# an edit\n", StandardOpenOption.APPEND);
        assertNotEquals(afterRoute.get("name"), podTemplateAndConfigMap(copy).get("name"),
                "an edit of application.properties makes a new ConfigMap");

        Files.writeString(copy.resolve("routes/dev/an-edit.camel.yaml"), "# dev only\n");
        Map<String, Object> afterDev = podTemplateAndConfigMap(copy);
        try (Stream<Path> dev = Files.list(copy.resolve("routes/dev"))) {
            for (Path file : dev.toList()) {
                Files.writeString(file, "# an edit\n", StandardOpenOption.APPEND);
            }
        }
        assertEquals(afterDev, podTemplateAndConfigMap(copy), "the dev routes are in no ConfigMap");
    }

    /** The generated ConfigMap's name and the pod templates that mount it, rendered from a copy of the project. */
    private static Map<String, Object> podTemplateAndConfigMap(Path project) {
        List<Map<String, Object>> plain = Manifests.kustomize(project.resolve("k8s/overlays/eastus"));
        List<Map<String, Object>> camelK = Manifests.kustomize(project.resolve("k8s/camel-k/eastus"));
        String name = at(only(plain, "ConfigMap"), "metadata", "name");
        assertEquals(name, at(only(camelK, "ConfigMap"), "metadata", "name"), "one ConfigMap for both installs");
        return Map.of("name", name,
                "statefulSet", at(only(plain, "StatefulSet"), "spec", "template"),
                "integration", at(only(camelK, "Integration"), "spec", "template"));
    }

    @Test
    void theDocumentedInstallCommandsRenderTheConfigMapFromTheFilesOutsideK8s() {
        Map<Path, String> documented = Map.of(
                Manifests.PROJECT.resolve("docs/deploy.md"), "k8s/overlays/eastus",
                Manifests.K8S.resolve("base/kustomization.yaml"), "k8s/overlays/eastus",
                Manifests.K8S.resolve("camel-k/README.md"), "k8s/camel-k/eastus",
                Manifests.K8S.resolve("camel-k/base/kustomization.yaml"), "k8s/camel-k/eastus");
        documented.forEach((document, directory) -> {
            String command = Manifests.installCommand(document, directory);
            assertTrue(command.startsWith("kubectl kustomize --load-restrictor LoadRestrictionsNone "), command);
            // as documented it prints what kubectl apply -f - would send: here nothing is sent anywhere
            List<Map<String, Object>> printed = Manifests.documents(Manifests.run(command));
            assertEquals(Manifests.kustomize(Manifests.PROJECT.resolve(directory)), printed, document + ": " + command);
        });
        // Why the documents pipe kubectl kustomize into kubectl apply rather than run kubectl apply -k (which has no
        // --load-restrictor): kustomize refuses files outside the kustomization, and so applies nothing. Should
        // this ever render, kubectl apply -k would do and the documents can say so.
        Manifests.Outcome applyK = Manifests.attempt("kubectl", "kustomize", "k8s/overlays/eastus");
        assertNotEquals(0, applyK.exitCode(), applyK.output());
        assertTrue(applyK.output().contains("is not in or below"), applyK.output());
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void aDisruptionBudgetLetsADrainTakeOneReplicaOfTheRegionAtATime(String region) {
        List<Map<String, Object>> resources = rendered(region);
        Map<String, Object> statefulSet = only(resources, "StatefulSet");
        Map<String, Object> budget = only(resources, "PodDisruptionBudget");
        assertEquals("policy/v1", budget.get("apiVersion"));
        // exactly the StatefulSet's pods: its own selector, which its pods' labels match
        Map<String, String> selector = at(budget, "spec", "selector", "matchLabels");
        assertEquals((Map<String, String>) at(statefulSet, "spec", "selector", "matchLabels"), selector);
        assertEquals(Set.of("matchLabels"), ((Map<String, Object>) at(budget, "spec", "selector")).keySet());
        Map<String, String> podLabels = at(statefulSet, "spec", "template", "metadata", "labels");
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), selector + " selects " + podLabels);
        // one of the two bounds, and with it a drain can always take one pod but never the last of several: at the
        // StatefulSet's replicas, at one (minAvailable: 1 would block every drain) and scaled up
        int replicas = at(statefulSet, "spec", "replicas");
        for (int pods = 1; pods <= replicas + 2; pods++) {
            int allowed = disruptionsAllowed(budget, pods);
            assertTrue(allowed >= 1, pods + " ready pods: a drain may evict one (allowed " + allowed + ")");
            assertTrue(pods == 1 || allowed <= pods - 1, pods + " ready pods: never all at once (allowed " + allowed
                    + ")");
        }
        // an unready pod serves nothing (readiness is a routing decision) and must not hold up a drain while the
        // region's services are out of reach, when every replica is unready
        assertEquals("AlwaysAllow", at(budget, "spec", "unhealthyPodEvictionPolicy"));
    }

    /**
     * What the disruption controller allows with every pod ready: the ready pods less those that must stay,
     * minAvailable or the pods less maxUnavailable (a percentage of the pods, rounded up, as Kubernetes does).
     */
    private static int disruptionsAllowed(Map<String, Object> budget, int pods) {
        Object minAvailable = at(budget, "spec", "minAvailable");
        Object maxUnavailable = at(budget, "spec", "maxUnavailable");
        assertTrue(minAvailable == null ^ maxUnavailable == null, "exactly one of minAvailable and maxUnavailable");
        int mustStay = minAvailable != null ? scaled(minAvailable, pods) : pods - scaled(maxUnavailable, pods);
        return Math.max(0, pods - mustStay);
    }

    private static int scaled(Object intOrPercent, int pods) {
        String value = String.valueOf(intOrPercent);
        return value.endsWith("%")
                ? (int) Math.ceil(Integer.parseInt(value.substring(0, value.length() - 1)) * pods / 100.0)
                : Integer.parseInt(value);
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void theReplicasSpreadOverNodesAndWhereThereAreZonesOverZones(String region) {
        Map<String, Object> statefulSet = only(rendered(region), "StatefulSet");
        List<Map<String, Object>> constraints = at(statefulSet, "spec", "template", "spec",
                "topologySpreadConstraints");
        assertNotNull(constraints, "no topologySpreadConstraints");
        Map<String, Map<String, Object>> byKey = constraints.stream()
                .collect(Collectors.toMap(c -> (String) c.get("topologyKey"), c -> c));
        assertEquals(Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"), byKey.keySet());
        Map<String, String> selector = at(statefulSet, "spec", "selector", "matchLabels");
        for (Map<String, Object> constraint : constraints) {
            // a selector that matches no pod counts nothing and spreads nothing: it must be the StatefulSet's own
            assertEquals(Map.of("matchLabels", selector), constraint.get("labelSelector"), constraint.toString());
            assertEquals(1, (Integer) constraint.get("maxSkew"), constraint.toString());
        }
        // hard across nodes, but nodes the pod may not run on (cordoned by a drain) are no empty place to fill
        assertEquals("DoNotSchedule", at(byKey.get("kubernetes.io/hostname"), "whenUnsatisfiable"));
        assertEquals("Honor", at(byKey.get("kubernetes.io/hostname"), "nodeTaintsPolicy"));
        // soft across zones: a cluster may have none, and a bound zonal disk decides its pod's zone
        assertEquals("ScheduleAnyway", at(byKey.get("topology.kubernetes.io/zone"), "whenUnsatisfiable"));
    }

    @ParameterizedTest
    @FieldSource("REGIONS")
    void theReplicasElectOneFailbackLeaderPerRegionThroughALease(String region) {
        List<Map<String, Object>> resources = rendered(region);
        Map<String, Object> statefulSet = only(resources, "StatefulSet");
        Map<String, String> env = environment(container(statefulSet));
        assertEquals("kubernetes", env.get(environmentName("xregion.leadership.service")));
        assertEquals("field:metadata.name", env.get(environmentName("xregion.leadership.kubernetes.pod-name")));
        assertEquals("field:metadata.namespace", env.get(environmentName("xregion.leadership.kubernetes.namespace")));
        // the members are the pods with the cluster labels: exactly this region's pods carry them
        Map<String, String> podLabels = at(statefulSet, "spec", "template", "metadata", "labels");
        for (String pair : property("xregion.leadership.kubernetes.cluster-labels")
                .replace("{{xregion.webpubsub.primary}}", region).split(",")) {
            String[] label = pair.split("=");
            assertEquals(label[1], podLabels.get(label[0]), "pods carry cluster label " + label[0]);
        }
        assertEquals("xregion-failback-{{xregion.webpubsub.primary}}",
                property("xregion.webpubsub.failback.leadership-namespace"), "a Lease per region");

        // the pods' service account may run the election, in their namespace only
        String account = at(statefulSet, "spec", "template", "spec", "serviceAccountName");
        assertEquals(account, at(only(resources, "ServiceAccount"), "metadata", "name"));
        Map<String, Object> binding = only(resources, "RoleBinding");
        assertEquals(List.of(Map.of("kind", "ServiceAccount", "name", account)), at(binding, "subjects"));
        Map<String, Object> role = only(resources, "Role");
        assertEquals("Role", at(binding, "roleRef", "kind"));
        assertEquals((String) at(role, "metadata", "name"), at(binding, "roleRef", "name"));
        List<Map<String, Object>> rules = at(role, "rules");
        Map<String, Object> leases = rules.stream().filter(r -> at(r, "resources").equals(List.of("leases")))
                .findFirst().orElseThrow(() -> new AssertionError("no rule on leases"));
        assertEquals(List.of("coordination.k8s.io"), leases.get("apiGroups"));
        assertTrue(((List<?>) leases.get("verbs")).containsAll(List.of("get", "list", "watch", "create", "update",
                "patch")), leases.toString());
        Map<String, Object> pods = rules.stream().filter(r -> at(r, "resources").equals(List.of("pods")))
                .findFirst().orElseThrow(() -> new AssertionError("no rule on pods"));
        assertEquals(List.of(""), pods.get("apiGroups"));
        assertEquals(List.of("get", "list"), pods.get("verbs"), "reads the members, changes nothing");
    }

    private static String mountPath(List<Map<String, Object>> mounts, String volume) {
        return mounts.stream().filter(m -> volume.equals(m.get("name"))).map(m -> (String) m.get("mountPath"))
                .findFirst().orElseThrow(() -> new AssertionError("no mount of " + volume));
    }

    /** A copy of the Integration's PodSpec without the ConfigMap, which kamel run mounts with --resource instead. */
    private static Map<String, Object> withoutConfig(Map<String, Object> podSpec) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(podSpec);
        List<Map<String, Object>> volumes = at(podSpec, "volumes");
        copy.put("volumes", volumes.stream().filter(v -> !"config".equals(v.get("name"))).toList());
        List<Map<String, Object>> containers = at(podSpec, "containers");
        assertEquals(1, containers.size(), "one container, Camel K's");
        Map<String, Object> container = new java.util.LinkedHashMap<>(containers.get(0));
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        container.put("volumeMounts", mounts.stream().filter(m -> !"config".equals(m.get("name"))).toList());
        copy.put("containers", List.of(container));
        return copy;
    }

    private static Map<String, Object> volume(List<Map<String, Object>> volumes, String name) {
        return volumes.stream().filter(v -> name.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }
}
