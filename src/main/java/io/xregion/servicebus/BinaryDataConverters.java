package io.xregion.servicebus;

import com.azure.core.util.BinaryData;
import org.apache.camel.CamelContext;
import org.apache.camel.support.TypeConverterSupport;

/** Lets routes read a received Service Bus body (the SDK's BinaryData) as bytes or text. */
public final class BinaryDataConverters {

    private BinaryDataConverters() {
    }

    public static void register(CamelContext context) {
        context.getTypeConverterRegistry().addTypeConverter(byte[].class, BinaryData.class, new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                return type.cast(((BinaryData) value).toBytes());
            }
        });
        context.getTypeConverterRegistry().addTypeConverter(String.class, BinaryData.class, new TypeConverterSupport() {
            @Override
            public <T> T convertTo(Class<T> type, org.apache.camel.Exchange exchange, Object value) {
                return type.cast(((BinaryData) value).toString());
            }
        });
    }
}
