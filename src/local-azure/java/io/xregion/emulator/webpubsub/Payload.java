package io.xregion.emulator.webpubsub;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A message's bytes and how clients should read them. */
record Payload(DataType type, byte[] data) {

    enum DataType {
        TEXT("text", "text/plain"), JSON("json", "application/json"), BINARY("binary", "application/octet-stream");

        final String wireName;
        final String contentType;

        DataType(String wireName, String contentType) {
            this.wireName = wireName;
            this.contentType = contentType;
        }

        /** The data type a REST Content-Type stands for, or null when the service does not accept it. */
        static DataType ofContentType(String contentType) {
            if (contentType == null) {
                return null;
            }
            String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            for (DataType type : values()) {
                if (type.contentType.equals(mediaType)) {
                    return type;
                }
            }
            return null;
        }

        /** The data type a client message names, or null when it names none we know. */
        static DataType ofWireName(String name) {
            for (DataType type : values()) {
                if (type.wireName.equals(name)) {
                    return type;
                }
            }
            return null;
        }
    }

    String text() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
