package io.xregion.emulator.webpubsub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One hub's connections, groups and users. Only the emulator's event loop touches it. */
final class Hub {

    final String name;
    private final Map<String, ClientConnection> connections = new LinkedHashMap<>();
    private final Map<String, Set<ClientConnection>> groups = new HashMap<>();
    /** Groups a user was added to through REST; they apply to the user's later connections too. */
    private final Map<String, Set<String>> userGroups = new HashMap<>();

    Hub(String name) {
        this.name = name;
    }

    void add(ClientConnection connection) {
        connections.put(connection.id, connection);
        if (connection.userId != null) {
            for (String group : userGroups.getOrDefault(connection.userId, Set.of())) {
                join(connection, group);
            }
        }
    }

    void remove(ClientConnection connection) {
        connections.remove(connection.id);
        for (String group : List.copyOf(connection.groups)) {
            leave(connection, group);
        }
    }

    ClientConnection connection(String id) {
        return connections.get(id);
    }

    Collection<ClientConnection> connections() {
        return List.copyOf(connections.values());
    }

    List<ClientConnection> userConnections(String userId) {
        List<ClientConnection> result = new ArrayList<>();
        for (ClientConnection connection : connections.values()) {
            if (userId.equals(connection.userId)) {
                result.add(connection);
            }
        }
        return result;
    }

    Collection<ClientConnection> groupMembers(String group) {
        return List.copyOf(groups.getOrDefault(group, Set.of()));
    }

    void join(ClientConnection connection, String group) {
        groups.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(connection);
        connection.groups.add(group);
    }

    void leave(ClientConnection connection, String group) {
        Set<ClientConnection> members = groups.get(group);
        if (members != null) {
            members.remove(connection);
            if (members.isEmpty()) {
                groups.remove(group);
            }
        }
        connection.groups.remove(group);
    }

    void addUserToGroup(String userId, String group) {
        userGroups.computeIfAbsent(userId, u -> new LinkedHashSet<>()).add(group);
        for (ClientConnection connection : userConnections(userId)) {
            join(connection, group);
        }
    }

    void removeUserFromGroup(String userId, String group) {
        Set<String> memberships = userGroups.get(userId);
        if (memberships != null) {
            memberships.remove(group);
        }
        for (ClientConnection connection : userConnections(userId)) {
            leave(connection, group);
        }
    }

    void removeUserFromAllGroups(String userId) {
        userGroups.remove(userId);
        for (ClientConnection connection : userConnections(userId)) {
            for (String group : List.copyOf(connection.groups)) {
                leave(connection, group);
            }
        }
    }

    boolean groupExists(String group) {
        return groups.containsKey(group);
    }

    int size() {
        return connections.size();
    }
}
