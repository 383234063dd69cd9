package io.xregion.emulator.webpubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The emulated OData filter: what it chooses, its precedence, and what it refuses as the service does. */
class ConnectionFilterTest {

    private static final Hub HUB = new Hub("chat");

    private static ClientConnection connection(String id, String userId, String... groups) {
        ClientConnection connection = new ClientConnection(id, userId, HUB, ClientProtocol.JSON, null, List.of(), 0);
        connection.groups.addAll(List.of(groups));
        return connection;
    }

    private static final ClientConnection ALICE = connection("c1", "alice", "xregion.v1", "room");
    private static final ClientConnection BOB = connection("c2", "bob");
    private static final ClientConnection ANONYMOUS = connection("c3", null, "room");

    private static List<String> chosen(String filter) {
        ConnectionFilter parsed = ConnectionFilter.parse(filter);
        return java.util.stream.Stream.of(ALICE, BOB, ANONYMOUS).filter(parsed::matches).map(c -> c.id).toList();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "'xregion.v1' in groups | c1",
        "not('xregion.v1' in groups) | c2 c3",
        "userId eq 'bob' | c2",
        "userId ne 'bob' | c1 c3",
        "userId eq null | c3",
        "'room' in groups and userId ne null | c1",
        "userId eq 'bob' or 'room' in groups and userId eq null | c2 c3",
        "userId in ('alice', 'bob') | c1 c2",
        "startswith(connectionId, 'c') and length(groups) gt 0 | c1 c3",
        "tolower(USERID) eq 'alice' | c1",
        "substring(userId, 1) eq 'ob' | c2",
        "userId eq 'o''brien' | ''",
    })
    void choosesTheConnectionsItDescribes(String filter, String ids) {
        assertEquals(ids.isBlank() ? List.of() : List.of(ids.split(" ")), chosen(filter));
    }

    @Test
    void noFilterIsEveryConnection() {
        assertNull(ConnectionFilter.parse(null));
        assertNull(ConnectionFilter.parse("  "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"userId eq", "groups eq 'a'", "userId", "'a' in userId", "name eq 'a'",
        "userId eq 'a", "not length(userId) gt 5", "userId eq 'a' and", "(userId eq 'a'", "userId eq 1",
        "unknown(userId) eq 'a'", "userId eq 'a' 'b'", "userId # 'a'", "not userId eq 'bob'"})
    void refusesWhatTheServiceRefuses(String filter) {
        ConnectionFilter.InvalidFilterException refused = assertThrows(ConnectionFilter.InvalidFilterException.class,
                () -> ConnectionFilter.parse(filter));
        assertTrue(refused.getMessage().endsWith("(Parameter 'filter')"), refused.getMessage());
    }
}
