package io.xregion.observe;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import org.apache.camel.CamelContext;

/**
 * Gives every xregion meter ({@code xregion.*}) the same common tags, in one place: {@code camelContext} (the Camel
 * context's name, the tag Camel's own meters and its micrometer endpoint carry) and {@code region} (this app server's
 * region: its primary Web PubSub instance, {@code xregion.webpubsub.primary}), so a dashboard can split any of them
 * by region. A meter that already carries one of them (the micrometer endpoint's {@code camelContext}) keeps its
 * value. Camel's and the JVM's meters are left as they are.
 */
public final class CommonTags implements MeterFilter {

    public static final String CAMEL_CONTEXT = "camelContext";
    public static final String REGION = "region";
    /** The setting naming this app server's region (its primary Web PubSub instance). */
    public static final String REGION_PROPERTY = "xregion.webpubsub.primary";
    private static final String PREFIX = "xregion.";

    private final CamelContext context;
    private volatile List<Tag> tags;

    /** Reads the context's name and the region when the first meter registers (once the app is configured). */
    public CommonTags(CamelContext context) {
        this.context = context;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith(PREFIX)) {
            return id;
        }
        List<Tag> missing = null;
        for (Tag tag : tags()) {
            if (id.getTag(tag.getKey()) == null) {
                if (missing == null) {
                    missing = new ArrayList<>(2);
                }
                missing.add(tag);
            }
        }
        return missing == null ? id : id.withTags(missing);
    }

    private List<Tag> tags() {
        List<Tag> known = tags;
        if (known == null) {
            String region = context.getPropertiesComponent().resolveProperty(REGION_PROPERTY).orElse("unknown");
            known = List.of(Tag.of(CAMEL_CONTEXT, context.getName()), Tag.of(REGION, region));
            tags = known;
        }
        return known;
    }
}
