package io.xregion.webpubsub;

import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/** The negotiate route's home check ({@code ?home=}). */
public class ClientHomeConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "clientHome", lazy = true)
    public ClientHome clientHome(@BeanInject("webPubSubInstances") WebPubSubInstances instances) {
        return new ClientHome(instances);
    }
}
