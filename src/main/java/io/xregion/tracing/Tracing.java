package io.xregion.tracing;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Whether this app server traces, and the OpenTelemetry its spans go to: Camel's (camel-opentelemetry2's tracer:
 * routes, calls to endpoints) and xregion's own (the Service Bus hop).
 *
 * <p>{@code xregion.tracing.enabled} switches both on. The OpenTelemetry is then a bean of type {@link OpenTelemetry}
 * if one is bound (your own SDK, e.g. with an Azure Monitor exporter; the tests' in-memory exporter), otherwise the
 * OpenTelemetry SDK autoconfigured from the standard settings: the {@code otel.*} keys of application.properties as
 * defaults, then the {@code OTEL_*} environment variables and {@code -Dotel.*} system properties, which win. That SDK
 * is shut down (its last spans exported) with Camel. While tracing is off nothing is built and no span is made.
 *
 * <p>Why not Camel's own switch, {@code camel.opentelemetry2.enabled}: camel-main (4.17.0) installs that tracer before
 * it loads the configuration classes, so it can only use an OpenTelemetry that exists before the app's beans do: the
 * global one, i.e. the OpenTelemetry Java agent's. With the agent, use Camel's switch instead; xregion's spans then go
 * to the same global OpenTelemetry. Both switches at once would trace every route twice: refused at start-up.
 */
public final class Tracing {

    /** The registry name of this bean. */
    public static final String BEAN = "tracing";
    /** The switch of Camel's and xregion's spans. */
    public static final String ENABLED = "xregion.tracing.enabled";
    /** Endpoints Camel does not trace: camel-opentelemetry2's excludePatterns. */
    public static final String EXCLUDE_PATTERNS = "xregion.tracing.exclude-patterns";
    /** Camel's own switch (camel-main), for the OpenTelemetry Java agent. */
    public static final String CAMEL_ENABLED = "camel.opentelemetry2.enabled";
    /** This app server's region (its primary Web PubSub instance): a resource attribute of every span. */
    public static final AttributeKey<String> REGION = AttributeKey.stringKey("xregion.region");
    private static final AttributeKey<String> SERVICE_INSTANCE = AttributeKey.stringKey("service.instance.id");
    // autoconfigure's message for a bad map setting (e.g. otel.exporter.otlp.headers, which holds credentials)
    // ends with the setting's value
    private static final Pattern MAP_VALUE = Pattern.compile("(Invalid map property: [^=\\s]+)=.*", Pattern.DOTALL);

    private final CamelContext context;
    private OpenTelemetry openTelemetry;

    public Tracing(CamelContext context) {
        this.context = context;
    }

    /** Whether spans are made: camel-opentelemetry2's tracer runs (installed by {@link #start} or by camel-main). */
    public boolean enabled() {
        return context.hasService(OpenTelemetryTracer.class) != null;
    }

    /**
     * Installs Camel's tracer on this OpenTelemetry, before the routes are made (so each gets its tracing route
     * policy).
     *
     * @param excludePatterns endpoints not traced (camel-opentelemetry2's excludePatterns), or null
     */
    synchronized void start(String excludePatterns) {
        if (enabled()) {
            throw new IllegalStateException(ENABLED + " and " + CAMEL_ENABLED + " both switch tracing on, which would "
                    + "trace every route twice: keep " + ENABLED + " (or only " + CAMEL_ENABLED
                    + " with the OpenTelemetry Java agent)");
        }
        OpenTelemetry own = context.getRegistry().findSingleByType(OpenTelemetry.class);
        openTelemetry = own != null ? own : autoconfigured();
        // what camel-opentelemetry2 looks up when it starts
        context.getRegistry().bind("openTelemetryCamelTracer", Tracer.class, openTelemetry.getTracer("camel"));
        context.getRegistry().bind("openTelemetryPropagators", ContextPropagators.class,
                openTelemetry.getPropagators());
        OpenTelemetryTracer tracer = new CachedExclusionTracer();
        tracer.setCamelContext(context);
        tracer.setExcludePatterns(excludePatterns);
        tracer.init(context);
    }

    /** The OpenTelemetry spans go to: the one {@link #start} chose, else (Camel's switch) the global one. */
    public synchronized OpenTelemetry openTelemetry() {
        return openTelemetry != null ? openTelemetry : GlobalOpenTelemetry.get();
    }

    private OpenTelemetry autoconfigured() {
        OpenTelemetrySdk sdk;
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> otelKeys(context.getPropertiesComponent()))
                    .addResourceCustomizer((resource, config) -> appServer().merge(resource))
                    // shut down with Camel instead, after the routes, so the last spans are exported
                    .disableShutdownHook()
                    .build().getOpenTelemetrySdk();
        } catch (ConfigurationException e) {
            throw new IllegalStateException("Tracing (" + ENABLED + " = true) cannot start: " + safe(e.getMessage())
                    + " (the otel.* keys of application.properties, the OTEL_* environment variables, -Dotel.*)");
        }
        try {
            context.addService(new SdkShutdown(sdk), true, false);
        } catch (Exception e) {
            throw new IllegalStateException("the OpenTelemetry SDK could not be tied to Camel's lifecycle", e);
        }
        return sdk;
    }

    /** The otel.* keys Camel knows (application.properties, overrides), as autoconfigure's defaults. */
    static Map<String, String> otelKeys(PropertiesComponent properties) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : properties.loadProperties(k -> k.startsWith("otel.")).stringPropertyNames()) {
            properties.resolveProperty(key).map(String::trim).filter(v -> !v.isEmpty())
                    .ifPresent(value -> keys.put(key, value));
        }
        return keys;
    }

    /**
     * Which app server made a span: its region and this process, unless OTEL_RESOURCE_ATTRIBUTES (or
     * OTEL_SERVICE_NAME) says otherwise.
     */
    private Resource appServer() {
        var attributes = io.opentelemetry.api.common.Attributes.builder()
                .put(SERVICE_INSTANCE, hostAndProcess());
        context.getPropertiesComponent().resolveProperty("xregion.webpubsub.primary").map(String::trim)
                .filter(v -> !v.isEmpty()).ifPresent(region -> attributes.put(REGION, region));
        return Resource.create(attributes.build());
    }

    private static String hostAndProcess() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    /** The message without a setting's value where it could hold a secret. */
    static String safe(String message) {
        if (message == null) {
            return "invalid OpenTelemetry settings";
        }
        Matcher map = MAP_VALUE.matcher(message);
        return map.matches() ? map.group(1) + " (value not shown: key=value pairs, comma-separated)" : message;
    }

    private static final class SdkShutdown extends ServiceSupport {
        private final OpenTelemetrySdk sdk;

        SdkShutdown(OpenTelemetrySdk sdk) {
            this.sdk = sdk;
        }

        @Override
        protected void doStop() {
            sdk.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
