package io.xregion.servicebus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.CamelTestSupport;

import io.xregion.emulator.servicebus.ServiceBusEmulator;
import io.xregion.emulator.servicebus.ServiceBusEmulatorOptions;
import io.xregion.health.HealthChanges;
import io.xregion.http.ApiErrors;
import io.xregion.servicebus.dedup.DuplicateStoreConfiguration;
import io.xregion.testing.Keys;
import io.xregion.testing.TestSettings;

/**
 * Route tests of the Service Bus routes: the real route files ({@code routes/servicebus-*.camel.yaml} and the route
 * configurations of {@code http-api.camel.yaml}), the real beans ({@link ServiceBusConfiguration}, from the real
 * application.properties), and for Service Bus two local namespaces (the emulator, speaking AMQP), so the producer,
 * the SDK and the outage classification run as in production. What a test replaces (a timer, a consumer, the
 * processing route) it replaces with Camel's test support.
 */
abstract class ServiceBusRouteTestSupport extends CamelTestSupport {

    protected ServiceBusEmulator eastus;
    protected ServiceBusEmulator westus;
    protected Path outboxDirectory;
    protected final MeterRegistry meters = new SimpleMeterRegistry();

    /** The route files under test, by name without {@code .camel.yaml}. */
    protected abstract List<String> routeFiles();

    /** Settings on top of application.properties and the namespaces'. */
    protected abstract Map<String, String> settings();

    /** Whether the test needs the namespaces (a test that replaces every Service Bus endpoint does not). */
    protected boolean namespacesNeeded() {
        return true;
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        // the publish API's HTTP route needs an HTTP server; the tests send to direct:publish
        configuration.withRouteFilterExcludePattern("servicebus-publish-api");
    }

    @Override
    protected void doPreSetup() throws Exception {
        outboxDirectory = Files.createTempDirectory("xregion-route-test-outbox");
        if (namespacesNeeded()) {
            eastus = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("eastus", Keys.random())
                    .withTopic("events", "xregion", "audit"));
            westus = ServiceBusEmulator.start(ServiceBusEmulatorOptions.of("westus", Keys.random())
                    .withTopic("events", "xregion", "audit"));
        }
    }

    @Override
    protected void doPostTearDown() throws Exception {
        if (eastus != null) {
            eastus.close();
            westus.close();
        }
        try (var files = Files.walk(outboxDirectory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getPropertiesComponent().setLocation("file:application.properties");
        Properties overrides = new Properties();
        overrides.put("xregion.servicebus.eastus.connection-string", connectionString(eastus));
        overrides.put("xregion.servicebus.westus.connection-string", connectionString(westus));
        // the outbox's own timing as shipped: the outbox tests drive its drain themselves
        overrides.putAll(TestSettings.dev().topic()
                .with("xregion.servicebus.send.try-timeout-ms", "1000")
                .with("xregion.servicebus.send.max-retries", "0")
                .with("xregion.servicebus.outbox.directory", outboxDirectory.toString()).build());
        overrides.putAll(settings());
        context.getPropertiesComponent().setOverrideProperties(overrides);
        // the app's common tags, as its registry (io.xregion.observe.XregionMeterRegistry) adds them
        meters.config().meterFilter(new io.xregion.observe.CommonTags(context));
        context.getRegistry().bind("meters", MeterRegistry.class, meters);
        context.getRegistry().bind("apiErrors", new ApiErrors());
        context.getRegistry().bind("healthChanges", new HealthChanges(50, Clock.systemUTC()));
        // the app's Service Bus beans (the duplicate store's too), bound as camel-main binds them, and its components
        CamelBeanPostProcessor beans = PluginHelper.getBeanPostProcessor(context);
        ServiceBusConfiguration configuration = new ServiceBusConfiguration();
        beans.postProcessBeforeInitialization(configuration, "serviceBusConfiguration");
        beans.postProcessAfterInitialization(configuration, "serviceBusConfiguration");
        DuplicateStoreConfiguration duplicateStore = new DuplicateStoreConfiguration();
        beans.postProcessBeforeInitialization(duplicateStore, "duplicateStoreConfiguration");
        beans.postProcessAfterInitialization(duplicateStore, "duplicateStoreConfiguration");
        ServiceBusConfiguration.addComponents(context);
        return context;
    }

    private static String connectionString(ServiceBusEmulator namespace) {
        // a test without namespaces replaces every Service Bus endpoint: nothing connects to this one
        return namespace != null ? namespace.connectionString()
                : "Endpoint=sb://127.0.0.1:9/;SharedAccessKeyName=test;SharedAccessKey=unused;UseDevelopmentEmulator=true;";
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>();
        for (String file : routeFiles()) {
            builders.addAll(PluginHelper.getRoutesLoader(context).findRoutesBuilders(
                    ResourceHelper.resolveMandatoryResource(context, "file:routes/" + file + ".camel.yaml")));
        }
        return builders.toArray(RoutesBuilder[]::new);
    }

    protected <T> T bean(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }

    protected double counter(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
