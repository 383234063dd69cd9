package io.xregion.config;

import org.apache.camel.CamelContext;

/**
 * A step that prepares a profile before xregion reads its settings, found with {@link java.util.ServiceLoader}.
 * The dev profile's setup starts the local emulators and supplies their connection strings; production has none, so
 * production code never depends on the emulators.
 */
public interface ProfileSetup {

    void prepare(CamelContext context, Settings settings) throws Exception;
}
