package io.xregion.emulator.webpubsub;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Client permissions from the token's {@code role} claim: {@code webpubsub.joinLeaveGroup} and
 * {@code webpubsub.sendToGroup}, optionally for one group ({@code .<group>}) or for a pattern
 * ({@code webpubsub.joinLeaveGroups.<pattern>}, where * stays within a dot-separated segment, ** crosses them and ?
 * is one character other than a dot).
 */
final class Roles {

    static final String JOIN_LEAVE = "webpubsub.joinLeaveGroup";
    static final String SEND = "webpubsub.sendToGroup";

    private Roles() {
    }

    static boolean allows(Collection<String> roles, String permission, String group) {
        for (String role : roles) {
            if (role.equals(permission) || role.equals(permission + "." + group)) {
                return true;
            }
            String patternPrefix = permission + "s.";
            if (role.startsWith(patternPrefix) && glob(role.substring(patternPrefix.length())).matcher(group).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^.]*");
            } else if (c == '?') {
                regex.append("[^.]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
