package io.xregion.webpubsub;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Sends the clients whose userId matches a pattern to one instance while it is healthy (say, a tenant's users to the
 * region that holds their data); everyone else, and those clients too while that instance is not healthy, negotiate
 * as the decorated router decides. Calls are left to the decorated router. Bind it without code:
 *
 * <pre>
 * camel.beans.pinnedUsersRouter = #class:io.xregion.webpubsub.PinnedUsersRouter('tenant-a-.*', 'westus')
 * xregion.webpubsub.router = pinnedUsersRouter
 * </pre>
 *
 * Pinned clients get this app server's home group like any other, so when a failback closes home groups on the
 * secondaries, those on a secondary reconnect once and negotiate puts them back on their instance.
 */
public final class PinnedUsersRouter extends WebPubSubRouterDecorator {

    private final Pattern users;
    private final String instance;

    /**
     * @param users    a regular expression the whole userId must match
     * @param instance the name of the instance they are pinned to
     */
    public PinnedUsersRouter(String users, String instance) {
        this(new PrimaryFirstRouter(), users, instance);
    }

    public PinnedUsersRouter(WebPubSubRouter inner, String users, String instance) {
        super(inner);
        this.users = Pattern.compile(users);
        this.instance = Objects.requireNonNull(instance, "the instance users are pinned to");
    }

    @Override
    public Optional<WebPubSubInstance> negotiateTarget(NegotiateRequest request, List<InstanceSnapshot> instances) {
        if (request.userId() != null && users.matcher(request.userId()).matches()) {
            for (InstanceSnapshot candidate : instances) {
                if (candidate.name().equals(instance) && candidate.healthy()) {
                    return Optional.of(candidate.instance());
                }
            }
        }
        return super.negotiateTarget(request, instances);
    }

    @Override
    public String toString() {
        return "PinnedUsersRouter[" + users + " -> " + instance + "]";
    }
}
