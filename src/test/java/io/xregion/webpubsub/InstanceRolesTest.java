package io.xregion.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Properties;

import io.xregion.config.Settings;
import io.xregion.testing.Keys;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** xregion.webpubsub.primary gives one instance the primary role; requests' audiences are decided by role. */
class InstanceRolesTest {

    private static WebPubSubInstances load(String instances, String primary) {
        Properties properties = new Properties();
        properties.setProperty("xregion.webpubsub.instances", instances);
        properties.setProperty("xregion.webpubsub.primary", primary);
        properties.setProperty("xregion.webpubsub.hub", "chat");
        int port = 1;
        for (String name : instances.split(",")) {
            properties.setProperty(WebPubSubInstances.connectionStringKey(name),
                    "Endpoint=http://127.0.0.1;Port=" + port++ + ";AccessKey=" + Keys.random() + ";Version=1.0;");
        }
        // never started: only its properties component is used
        CamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(properties);
        return WebPubSubInstances.load(Settings.of(camel));
    }

    private static WebPubSubInstance instance(String name, InstanceRole role) {
        return new WebPubSubInstance(name, URI.create("https://" + name + ".webpubsub.azure.com"), Keys.random(), role);
    }

    @Test
    void theConfiguredPrimaryIsThePrimaryAndEveryOtherInstanceASecondaryInPreferenceOrder() {
        WebPubSubInstances instances = load("eastus,westus,northeurope", "westus");
        assertEquals(List.of(InstanceRole.SECONDARY, InstanceRole.PRIMARY, InstanceRole.SECONDARY),
                instances.all().stream().map(WebPubSubInstance::role).toList());
        assertEquals("westus", instances.primary().name());
        assertEquals(List.of("eastus", "northeurope"),
                instances.secondaries().stream().map(WebPubSubInstance::name).toList());
        assertEquals("primary", instances.primary().role().tag());
    }

    @Test
    void aPrimaryThatIsNotAConfiguredInstanceStopsStartUpNamingTheProperty() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> load("eastus,westus", "centralus"));
        assertEquals("xregion.webpubsub.primary 'centralus' is not one of xregion.webpubsub.instances [eastus, westus]",
                e.getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> load("eastus,eastus", "eastus")).getMessage()
                .contains("'eastus' twice"));
    }

    @Test
    void thereIsExactlyOnePrimary() {
        assertThrows(IllegalStateException.class, () -> new WebPubSubInstances(List.of(
                instance("eastus", InstanceRole.SECONDARY), instance("westus", InstanceRole.SECONDARY)), "chat"));
        assertThrows(IllegalStateException.class, () -> new WebPubSubInstances(List.of(
                instance("eastus", InstanceRole.PRIMARY), instance("westus", InstanceRole.PRIMARY)), "chat"));
        assertThrows(IllegalArgumentException.class, () -> instance("eastus", null));
    }

    @Test
    void broadcastsAreForEveryInstanceAndFailbackClosesForTheSecondariesOnly() {
        WebPubSubInstance primary = instance("eastus", InstanceRole.PRIMARY);
        WebPubSubInstance secondary = instance("westus", InstanceRole.SECONDARY);
        WebPubSubRequests requests = new WebPubSubRequests("chat", "bye");
        WebPubSubRequest.Audience broadcast = requests.broadcastToAll().audience();
        WebPubSubRequest.Audience close = requests.closeGroupOnSecondaries("g").audience();
        assertTrue(broadcast.includes(primary));
        assertTrue(broadcast.includes(secondary));
        assertFalse(close.includes(primary));
        assertTrue(close.includes(secondary));
    }
}
