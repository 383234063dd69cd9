package io.xregion.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xregion.testing.HeadlessChromium;
import io.xregion.testing.HttpCalls;
import io.xregion.testing.Keys;
import io.xregion.testing.RunningApp;

/**
 * The status page in a real browser (headless Chromium): opened once, it follows a region's Web PubSub instance going
 * down and coming back by itself, lists both changes, shows no secret and loads nothing but its own files. Leaves
 * screenshots in target/status-page/ (docs/images/status-page.png is the one taken with eastus down).
 */
@Tag("slow")
class StatusPageBrowserTest {

    /** Detection (fast health below) plus one refresh of the page, with room for a machine shared by many builds. */
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path SCREENSHOTS = Path.of("target", "status-page");

    @Test
    void thePageFollowsARegionGoingDownAndComingBackWithoutBeingReloaded() throws Exception {
        assertTrue(HeadlessChromium.installed(), HeadlessChromium.EXECUTABLE
                + " is missing: install Debian's chromium (apt-get install chromium; .ci/run does)");
        String devKey = Keys.random();
        Map<String, String> settings = new LinkedHashMap<>(RunningApp.fastHealth(300, 300));
        settings.put("xregion.dev.access-key", devKey);
        try (RunningApp app = RunningApp.start(settings);
                HeadlessChromium browser = HeadlessChromium.start(WAIT)) {
            browser.navigate(app.managementUrl("/observe/status"), WAIT);
            awaitText(browser, "instance eastus UP", instanceState("eastus"), "UP");
            awaitText(browser, "instance westus UP", instanceState("westus"), "UP");
            assertEquals("primary", browser.evaluate(field("tr[data-instance=eastus]", "role")).asText());
            // a mark on this very document: gone if anything reloaded the page
            browser.evaluate("window.xregionTestMark = 'not reloaded'");

            switchInstance(app, "eastus", "down");
            awaitText(browser, "instance eastus DOWN on the page", instanceState("eastus"), "DOWN");
            awaitText(browser, "region eastus's Web PubSub DOWN", field("tr[data-region=eastus]", "webpubsub"), "DOWN");
            awaitText(browser, "the change listed", "String(document.querySelectorAll("
                    + "'#changes li[data-kind=webpubsub][data-name=eastus][data-to=DOWN]').length)", "1");
            assertFalse(browser.evaluate(field("tr[data-instance=eastus]", "lastError")).asText().isBlank(),
                    "the instance's last error is shown");
            assertEquals("UP", browser.evaluate(instanceState("westus")).asText());
            browser.screenshot(SCREENSHOTS.resolve("status-page-eastus-down.png"));

            switchInstance(app, "eastus", "up");
            awaitText(browser, "instance eastus UP again", instanceState("eastus"), "UP");
            awaitText(browser, "the newest change: eastus back UP", "(() => { const li = document.querySelector("
                    + "'#changes li[data-name=eastus]'); return li ? li.dataset.to : ''; })()", "UP");
            assertEquals("not reloaded", browser.evaluate("window.xregionTestMark").asText(),
                    "the page refreshed itself; nothing reloaded it");
            browser.screenshot(SCREENSHOTS.resolve("status-page.png"));

            String page = browser.evaluate("document.documentElement.outerHTML").asText();
            for (String secret : List.of(devKey, "AccessKey=", "SharedAccessKey")) {
                assertFalse(page.contains(secret), "the page shows a secret");
            }
            assertEquals("", browser.evaluate("performance.getEntriesByType('resource').map(r => r.name)"
                    + ".filter(name => !name.startsWith(location.origin + '/observe/')).join(' ')").asText(),
                    "everything the page loaded came from the management port");
            assertEquals(List.of(), browser.errors(), "no script error, no refused resource");
            assertTrue(Files.size(SCREENSHOTS.resolve("status-page.png")) > 10_000, "a screenshot with content");
        }
    }

    private static void switchInstance(RunningApp app, String instance, String action) {
        HttpCalls.Answer answer = HttpCalls.post(app.url("/dev/webpubsub/" + instance + "/" + action), null, null);
        assertEquals(200, answer.status(), answer.body());
    }

    private static void awaitText(HeadlessChromium browser, String what, String expression, String expected) {
        Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> browser.evaluate(expression).asText(), expected::equals);
    }

    private static String instanceState(String instance) {
        return field("tr[data-instance=" + instance + "]", "state");
    }

    /** The text of a field of a row, or '' while the row is not there. */
    private static String field(String row, String field) {
        return "(() => { const cell = document.querySelector('" + row + " [data-field=" + field + "]'); "
                + "return cell ? cell.textContent.trim() : ''; })()";
    }
}
