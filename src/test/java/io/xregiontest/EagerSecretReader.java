package io.xregiontest;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

import io.xregion.config.Settings;

/**
 * A user's configuration class with an eager bean (not lazy) that reads a secret when it is made, as camel-main binds
 * it. Outside io.xregion, so that camel-main's package scan leaves it out of every other test; StartUpOrderTest names
 * it in camel.main.configuration-classes.
 */
public class EagerSecretReader implements CamelConfiguration {

    /** What the bean saw: whether the connection string was there when camel-main made it. */
    public record Seen(boolean connectionString) {
    }

    @BindToRegistry("eagerSecretReader")
    public Seen eagerSecretReader(CamelContext context) {
        return new Seen(Settings.of(context).optional("xregion.servicebus.eastus.connection-string").isPresent());
    }
}
