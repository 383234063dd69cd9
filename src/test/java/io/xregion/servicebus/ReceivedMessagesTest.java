package io.xregion.servicebus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.azure.core.amqp.models.AmqpAnnotatedMessage;
import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.core.util.BinaryData;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnknownDescribedType;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a received message's content type is chosen and which messages are unprocessable, one producer's way of
 * sending at a time: declared content types (with parameters, other charsets, types Web PubSub does not know), none
 * (the bytes decide, as the JavaScript SDK's receiver reads them), and AMQP value and sequence bodies.
 */
class ReceivedMessagesTest {

    private static final byte[] NOT_UTF8 = {(byte) 0xC3, 0x28, (byte) 0xFF};
    private static CamelContext context;
    private final ReceivedMessages messages = new ReceivedMessages(64);

    @BeforeAll
    static void context() {
        context = new DefaultCamelContext();
        BinaryDataConverters.register(context);
    }

    @AfterAll
    static void close() throws Exception {
        context.close();
    }

    /** As the namespace's consumer hands a data-section message over: BinaryData, the raw AMQP message beside it. */
    private Exchange data(String contentType, byte[] body) {
        AmqpAnnotatedMessage amqp = new AmqpAnnotatedMessage(AmqpMessageBody.fromData(body));
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(BinaryData.fromBytes(body));
        exchange.getMessage().setHeader(ServiceBusConstants.CONTENT_TYPE, contentType);
        exchange.getMessage().setHeader(ServiceBusConstants.RAW_AMQP_MESSAGE, amqp);
        return exchange;
    }

    private Exchange amqp(String contentType, AmqpMessageBody body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(ServiceBusConstants.CONTENT_TYPE, contentType);
        exchange.getMessage().setHeader(ServiceBusConstants.RAW_AMQP_MESSAGE, new AmqpAnnotatedMessage(body));
        return exchange;
    }

    private Exchange read(Exchange exchange) {
        messages.read(exchange);
        return exchange;
    }

    private static void assertRead(String contentType, String text, Exchange exchange) {
        assertEquals(contentType, exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertEquals(text, new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));
    }

    private UnprocessableMessageException unreadable(Exchange exchange) {
        return assertThrows(UnprocessableMessageException.class, () -> messages.read(exchange));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDeclaredContentTypeDecidesWhateverItsCaseAndParameters() {
        assertRead("text/plain", "hello", read(data("text/plain", utf8("hello"))));
        assertRead("application/json", "{\"a\":1}", read(data("Application/JSON; charset=utf-8", utf8("{\"a\":1}"))));
        assertRead("application/json", "{\"a\":1}", read(data("application/cloudevents+json", utf8("{\"a\":1}"))));
        // declared text stays as sent: a JSON string under text/plain keeps its quotes
        assertRead("text/plain", "\"hi\"", read(data("text/plain", utf8("\"hi\""))));
    }

    @Test
    void otherTextTypesAreTextInUtf8AndOtherTypesOpaqueBytes() {
        assertRead("text/plain", "<a>é</a>", read(data("application/xml", utf8("<a>é</a>"))));
        assertRead("text/plain", "a,b", read(data("text/csv", utf8("a,b"))));
        assertRead("text/plain", "café", read(data("text/plain; charset=ISO-8859-1",
                "café".getBytes(StandardCharsets.ISO_8859_1))));
        assertRead("text/plain", "x", read(data("application/atom+xml", utf8("x"))));

        // opaque types are carried as binary even when their bytes happen to be text
        Exchange png = read(data("image/png", NOT_UTF8));
        assertEquals("application/octet-stream", png.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertArrayEquals(NOT_UTF8, png.getMessage().getBody(byte[].class));
        assertEquals("application/octet-stream",
                read(data("application/x-protobuf", utf8("abc"))).getMessage().getHeader(Exchange.CONTENT_TYPE));
    }

    @Test
    void withoutAContentTypeTheBytesDecideAsTheJavaScriptSdkReadsThem() {
        // @azure/service-bus sends sendMessages({body: "hello"}) as a data section holding "hello" in JSON
        assertRead("text/plain", "hello", read(data(null, utf8("\"hello\""))));
        assertRead("text/plain", "line\n\"quoted\"", read(data(null, utf8("\"line\\n\\\"quoted\\\"\""))));
        assertRead("application/json", "{\"n\":1}", read(data(null, utf8("{\"n\":1}"))));
        assertRead("application/json", " [1, 2] ", read(data(null, utf8(" [1, 2] "))));
        assertRead("application/json", "42", read(data(null, utf8("42"))));
        // the Java and .NET SDKs send a string as its UTF-8 bytes
        assertRead("text/plain", "hello world", read(data(null, utf8("hello world"))));
        assertRead("text/plain", "{\"n\":1} trailing", read(data(null, utf8("{\"n\":1} trailing"))));
        Exchange bytes = read(data(null, NOT_UTF8));
        assertEquals("application/octet-stream", bytes.getMessage().getHeader(Exchange.CONTENT_TYPE));
        assertArrayEquals(NOT_UTF8, bytes.getMessage().getBody(byte[].class));
        // a label that is not a media type tells nothing
        assertRead("application/json", "{\"n\":1}", read(data("json", utf8("{\"n\":1}"))));
    }

    @Test
    void amqpValueAndSequenceBodiesAreRead() {
        assertRead("text/plain", "hello", read(amqp(null, AmqpMessageBody.fromValue("hello"))));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("n", 1);
        map.put(Symbol.valueOf("tags"), List.of("a", UnsignedInteger.valueOf(7)));
        map.put("raw", new Binary(new byte[] {1, 2}));
        assertRead("application/json", "{\"n\":1,\"tags\":[\"a\",7],\"raw\":\"AQI=\"}",
                read(amqp(null, AmqpMessageBody.fromValue(map))));
        assertRead("application/json", "[1,\"x\",true]",
                read(amqp(null, AmqpMessageBody.fromSequence(Arrays.asList(1L, "x", true)))));
        assertRead("application/json", "2.5", read(amqp(null, AmqpMessageBody.fromValue(2.5))));
        // binary is bytes like a data section's; a declared type then decides
        assertRead("application/json", "{\"n\":2}",
                read(amqp(null, AmqpMessageBody.fromValue(new Binary(utf8("{\"n\":2}"))))));
        assertRead("application/json", "{\"n\":3}", read(amqp("application/json",
                AmqpMessageBody.fromValue(Map.of("n", 3)))));
    }

    @Test
    void aBodyThatCannotBeReadAsItsContentTypeSaysIsUnprocessable() {
        UnprocessableMessageException notJson = unreadable(data("application/json", utf8("not json")));
        assertEquals(ReceivedMessages.INVALID_JSON, notJson.getReason());
        assertTrue(notJson.getDescription().contains("application/json"), notJson.getDescription());
        assertFalse(notJson.getDescription().contains("not json"), "never the content: " + notJson.getDescription());
        assertEquals(ReceivedMessages.INVALID_JSON, unreadable(data("application/json", utf8("{} {}"))).getReason());
        assertEquals(ReceivedMessages.INVALID_JSON, unreadable(data("application/json", utf8(" "))).getReason());
        assertEquals(ReceivedMessages.INVALID_JSON,
                unreadable(amqp("application/json", AmqpMessageBody.fromValue("plain words"))).getReason());

        assertEquals(ReceivedMessages.INVALID_TEXT, unreadable(data("text/plain", NOT_UTF8)).getReason());
        assertEquals(ReceivedMessages.INVALID_TEXT, unreadable(data("application/json", NOT_UTF8)).getReason());
        assertEquals(ReceivedMessages.INVALID_TEXT,
                unreadable(data("text/plain; charset=us-ascii", utf8("é"))).getReason());
        assertEquals(ReceivedMessages.UNSUPPORTED_CHARSET,
                unreadable(data("text/plain; charset=x-made-up", utf8("a"))).getReason());

        UnprocessableMessageException described = unreadable(amqp(null,
                AmqpMessageBody.fromValue(new UnknownDescribedType(Symbol.valueOf("com.example:thing"), "x"))));
        assertEquals(ReceivedMessages.UNSUPPORTED_BODY, described.getReason());
    }

    @Test
    void theBroadcastRefusesEmptyAndOversizedBodies() {
        Exchange empty = read(data(null, new byte[0]));
        assertEquals(ReceivedMessages.EMPTY_BODY, assertThrows(UnprocessableMessageException.class,
                () -> messages.requireBroadcastable(empty)).getReason());
        Exchange large = read(data("application/octet-stream", new byte[65]));
        UnprocessableMessageException tooLarge = assertThrows(UnprocessableMessageException.class,
                () -> messages.requireBroadcastable(large));
        assertEquals(ReceivedMessages.TOO_LARGE, tooLarge.getReason());
        assertTrue(tooLarge.getDescription().contains("xregion.webpubsub.broadcast.max-message-bytes"));
        Exchange fits = read(data("application/octet-stream", new byte[64]));
        messages.requireBroadcastable(fits);
        assertEquals(64, fits.getMessage().getBody(byte[].class).length);
    }

    @Test
    void reasonsAndDescriptionsAreKeptShortAndAThrowFromARouteHasADefaultReason() {
        UnprocessableMessageException fromRoute = new UnprocessableMessageException("unknown order type");
        assertEquals(UnprocessableMessageException.DEFAULT_REASON, fromRoute.getReason());
        assertEquals("unknown order type", fromRoute.getDescription());
        UnprocessableMessageException longOne = new UnprocessableMessageException("R".repeat(500), "d".repeat(5000));
        assertEquals(UnprocessableMessageException.MAX_REASON, longOne.getReason().length());
        assertEquals(UnprocessableMessageException.MAX_DESCRIPTION, longOne.getDescription().length());
        assertEquals(0, fromRoute.getStackTrace().length, "nothing to print: it is the message's fault, not a bug");
    }
}
