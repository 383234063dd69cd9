package io.xregion.emulator.webpubsub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code filter} of the send and group-membership operations: the OData subset of the service's grammar
 * (learn.microsoft.com, "OData filter syntax in Azure Web PubSub service", api-version 2024-01-01 and later). A filter
 * is a boolean expression over a connection's {@code userId}, {@code connectionId} (strings) and {@code groups} (a
 * collection): {@code and}, {@code or}, {@code not}, {@code eq ne gt ge lt le}, {@code in} with a parenthesised list or
 * {@code groups}, string, integer, boolean and {@code null} literals ({@code ''} escapes a quote), parentheses, and the
 * functions tolower, toupper, trim, substring, concat, indexof, contains, startswith, endswith and length.
 *
 * <p>Precedence as the service's: {@code not} binds tightest (tighter than the comparisons, so {@code not length(userId)
 * gt 5} is refused: {@code not} gets a number), then the comparisons and {@code in}, then {@code and}, then {@code or}.
 * Identifiers are case-insensitive (the service's table says so), keywords are lower case as in OData, and values are
 * compared as they are: the service's own example needs {@code tolower(userId)} to match {@code USER1}. A filter that
 * does not parse or whose types do not fit is refused with 400 and a message in the service's words ("Invalid syntax
 * for '...': ... (Parameter 'filter')").
 */
final class ConnectionFilter {

    /** A filter the service would refuse; the message is the answer's. */
    static final class InvalidFilterException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidFilterException(String message) {
            super(message);
        }
    }

    private enum Type {
        BOOL("bool"), STRING("string"), INT("int"), NULL("null"), COLLECTION("collection"), LIST("list");

        final String word;

        Type(String word) {
            this.word = word;
        }
    }

    /** One node of the parsed expression: its type, fixed when parsed, and its value for a connection. */
    private interface Node {
        Type type();

        Object value(ClientConnection connection);

        String text();
    }

    private record Literal(Type type, Object constant, String text) implements Node {
        @Override
        public Object value(ClientConnection connection) {
            return constant;
        }
    }

    private record Identifier(String name, Type type, String text) implements Node {
        @Override
        public Object value(ClientConnection connection) {
            return switch (name) {
                case "userid" -> connection.userId;
                case "connectionid" -> connection.id;
                default -> connection.groups;
            };
        }
    }

    @FunctionalInterface
    private interface Evaluation {
        Object apply(ClientConnection connection);
    }

    private record Computed(Type type, Evaluation evaluation, String text) implements Node {
        @Override
        public Object value(ClientConnection connection) {
            return evaluation.apply(connection);
        }
    }

    private record ListNode(List<Node> items, String text) implements Node {
        @Override
        public Type type() {
            return Type.LIST;
        }

        @Override
        public Object value(ClientConnection connection) {
            List<Object> values = new ArrayList<>(items.size());
            items.forEach(item -> values.add(item.value(connection)));
            return values;
        }
    }

    private static final Set<String> COMPARISONS = Set.of("eq", "ne", "gt", "ge", "lt", "le");

    private final String source;
    private final Node root;

    private ConnectionFilter(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /** The filter parsed and type-checked; null or blank text is no filter at all (every connection). */
    static ConnectionFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Parser parser = new Parser(text);
        Node root = parser.orExpression();
        if (parser.peek() != null) {
            throw parser.invalid(text, "unexpected '" + parser.peek().text + "'");
        }
        parser.expect(root, Type.BOOL);
        return new ConnectionFilter(text, root);
    }

    boolean matches(ClientConnection connection) {
        return Boolean.TRUE.equals(root.value(connection));
    }

    @Override
    public String toString() {
        return source;
    }

    // ---- the parser: tokens, then recursive descent in the service's precedence

    private record Token(String kind, String text, Object value, int at) {
    }

    private static final class Parser {
        private final String source;
        private final List<Token> tokens = new ArrayList<>();
        private int next;

        Parser(String source) {
            this.source = source;
            tokenize();
        }

        private void tokenize() {
            int i = 0;
            while (i < source.length()) {
                char c = source.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(' || c == ')' || c == ',') {
                    tokens.add(new Token(String.valueOf(c), String.valueOf(c), null, i));
                    i++;
                } else if (c == '\'') {
                    StringBuilder value = new StringBuilder();
                    int start = i++;
                    while (true) {
                        if (i >= source.length()) {
                            throw invalid(source.substring(start), "the string literal is not closed");
                        }
                        char d = source.charAt(i++);
                        if (d == '\'') {
                            if (i < source.length() && source.charAt(i) == '\'') {
                                value.append('\'');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            value.append(d);
                        }
                    }
                    tokens.add(new Token("string", source.substring(start, i), value.toString(), start));
                } else if (Character.isDigit(c) || (c == '-' || c == '+') && i + 1 < source.length()
                        && Character.isDigit(source.charAt(i + 1))) {
                    int start = i++;
                    while (i < source.length() && Character.isDigit(source.charAt(i))) {
                        i++;
                    }
                    String digits = source.substring(start, i);
                    try {
                        tokens.add(new Token("int", digits, Long.parseLong(digits), start));
                    } catch (NumberFormatException e) {
                        throw invalid(digits, "the integer is out of range");
                    }
                } else if (Character.isLetter(c) || c == '_') {
                    int start = i;
                    while (i < source.length() && (Character.isLetterOrDigit(source.charAt(i))
                            || source.charAt(i) == '_')) {
                        i++;
                    }
                    tokens.add(new Token("word", source.substring(start, i), null, start));
                } else {
                    throw invalid(source.substring(i), "unexpected character '" + c + "'");
                }
            }
        }

        Token peek() {
            return next < tokens.size() ? tokens.get(next) : null;
        }

        private boolean atWord(String word) {
            Token token = peek();
            return token != null && token.kind.equals("word") && token.text.equals(word);
        }

        private boolean at(String kind) {
            Token token = peek();
            return token != null && token.kind.equals(kind);
        }

        private Token take(String kind, String what) {
            Token token = peek();
            if (token == null || !token.kind.equals(kind)) {
                throw invalid(rest(), "expected " + what);
            }
            next++;
            return token;
        }

        private String rest() {
            Token token = peek();
            return token == null ? source : source.substring(token.at);
        }

        Node orExpression() {
            Node left = andExpression();
            while (atWord("or")) {
                next++;
                Node right = andExpression();
                left = logical("or", left, right);
            }
            return left;
        }

        private Node andExpression() {
            Node left = comparison();
            while (atWord("and")) {
                next++;
                Node right = comparison();
                left = logical("and", left, right);
            }
            return left;
        }

        private Node logical(String operator, Node left, Node right) {
            expect(left, Type.BOOL);
            expect(right, Type.BOOL);
            String text = left.text() + " " + operator + " " + right.text();
            boolean and = operator.equals("and");
            return new Computed(Type.BOOL, c -> and
                    ? Boolean.TRUE.equals(left.value(c)) && Boolean.TRUE.equals(right.value(c))
                    : Boolean.TRUE.equals(left.value(c)) || Boolean.TRUE.equals(right.value(c)), text);
        }

        private Node comparison() {
            Node left = unary();
            Token token = peek();
            if (token != null && token.kind.equals("word") && COMPARISONS.contains(token.text)) {
                next++;
                return compare(token.text, left, unary());
            }
            if (atWord("in")) {
                next++;
                return in(left, inOperand());
            }
            return left;
        }

        private Node unary() {
            if (atWord("not")) {
                next++;
                Node operand = unary();
                expect(operand, Type.BOOL, "not " + operand.text());
                return new Computed(Type.BOOL, c -> !Boolean.TRUE.equals(operand.value(c)),
                        "not " + operand.text());
            }
            return primary();
        }

        private Node primary() {
            Token token = peek();
            if (token == null) {
                throw invalid(source, "the expression ends too early");
            }
            next++;
            switch (token.kind) {
                case "(" -> {
                    Node inner = orExpression();
                    take(")", "')'");
                    return inner;
                }
                case "string" -> {
                    return new Literal(Type.STRING, token.value, token.text);
                }
                case "int" -> {
                    return new Literal(Type.INT, token.value, token.text);
                }
                case "word" -> {
                    return word(token);
                }
                default -> throw invalid(source.substring(token.at), "unexpected '" + token.text + "'");
            }
        }

        private Node word(Token token) {
            String word = token.text;
            switch (word) {
                case "true", "false" -> {
                    return new Literal(Type.BOOL, Boolean.valueOf(word), word);
                }
                case "null" -> {
                    return new Literal(Type.NULL, null, word);
                }
                default -> {
                    // identifiers are case-insensitive; functions and keywords are not
                }
            }
            if (at("(")) {
                return function(token);
            }
            String identifier = word.toLowerCase(Locale.ROOT);
            return switch (identifier) {
                case "userid", "connectionid" -> new Identifier(identifier, Type.STRING, word);
                case "groups" -> new Identifier(identifier, Type.COLLECTION, word);
                default -> throw invalid(word, "'" + word + "' is not a property of a connection (userId, "
                        + "connectionId, groups)");
            };
        }

        private Node function(Token name) {
            take("(", "'('");
            List<Node> arguments = new ArrayList<>();
            if (!at(")")) {
                arguments.add(orExpression());
                while (at(",")) {
                    next++;
                    arguments.add(orExpression());
                }
            }
            take(")", "')'");
            String text = name.text + "(" + String.join(",", arguments.stream().map(Node::text).toList()) + ")";
            return Functions.call(this, name.text, arguments, text);
        }

        /** The right side of {@code in}: a parenthesised list of values, or a collection ({@code groups}). */
        private Node inOperand() {
            if (!at("(")) {
                Node collection = primary();
                expect(collection, Type.COLLECTION);
                return collection;
            }
            int start = peek().at;
            next++;
            List<Node> items = new ArrayList<>();
            items.add(orExpression());
            while (at(",")) {
                next++;
                items.add(orExpression());
            }
            take(")", "')'");
            if (items.size() == 1 && items.get(0).type() == Type.COLLECTION) {
                return items.get(0);
            }
            for (Node item : items) {
                if (item.type() != Type.STRING && item.type() != Type.INT && item.type() != Type.NULL) {
                    throw invalid(item.text(), "Type '" + item.type().word + "', expect a primitive value");
                }
            }
            return new ListNode(items, source.substring(start, peekAt()));
        }

        private int peekAt() {
            Token token = peek();
            return token == null ? source.length() : token.at;
        }

        private Node in(Node left, Node right) {
            if (left.type() != Type.STRING && left.type() != Type.INT && left.type() != Type.NULL) {
                throw invalid(left.text(), "Type '" + left.type().word + "', expect a primitive value");
            }
            String text = left.text() + " in " + right.text();
            return new Computed(Type.BOOL, c -> {
                Object value = left.value(c);
                Object collection = right.value(c);
                return collection instanceof java.util.Collection<?> values && values.contains(value);
            }, text);
        }

        private Node compare(String operator, Node left, Node right) {
            String text = left.text() + " " + operator + " " + right.text();
            Type a = left.type();
            Type b = right.type();
            boolean equality = operator.equals("eq") || operator.equals("ne");
            boolean fits = equality ? a == b || a == Type.NULL || b == Type.NULL : a == b && (a == Type.INT
                    || a == Type.STRING);
            if (!fits || a == Type.COLLECTION || b == Type.COLLECTION || a == Type.LIST || b == Type.LIST) {
                throw invalid(text, "Type '" + a.word + "' cannot be compared with type '" + b.word + "' by '"
                        + operator + "'");
            }
            return new Computed(Type.BOOL, c -> {
                Object x = left.value(c);
                Object y = right.value(c);
                if (equality) {
                    return operator.equals("eq") == Objects.equals(x, y);
                }
                if (x == null || y == null) {
                    return false;
                }
                @SuppressWarnings("unchecked")
                int order = ((Comparable<Object>) x).compareTo(y);
                return switch (operator) {
                    case "gt" -> order > 0;
                    case "ge" -> order >= 0;
                    case "lt" -> order < 0;
                    default -> order <= 0;
                };
            }, text);
        }

        void expect(Node node, Type type) {
            expect(node, type, node.text());
        }

        void expect(Node node, Type type, String text) {
            if (node.type() != type) {
                throw invalid(text, "Type '" + node.type().word + "', expect '" + type.word + "'");
            }
        }

        InvalidFilterException invalid(String near, String why) {
            return new InvalidFilterException("Invalid syntax for '" + near + "': " + why + ". (Parameter 'filter')");
        }
    }

    /** The service's string and collection functions; a null string (an anonymous userId) gives null or false. */
    private static final class Functions {
        private Functions() {
        }

        static Node call(Parser parser, String name, List<Node> arguments, String text) {
            switch (name) {
                case "tolower", "toupper", "trim" -> {
                    strings(parser, arguments, 1, text);
                    Node p = arguments.get(0);
                    return new Computed(Type.STRING, c -> {
                        String s = (String) p.value(c);
                        return s == null ? null : name.equals("trim") ? s.trim()
                                : name.equals("tolower") ? s.toLowerCase(Locale.ROOT) : s.toUpperCase(Locale.ROOT);
                    }, text);
                }
                case "concat" -> {
                    strings(parser, arguments, 2, text);
                    Node a = arguments.get(0);
                    Node b = arguments.get(1);
                    return new Computed(Type.STRING, c -> {
                        String x = (String) a.value(c);
                        String y = (String) b.value(c);
                        return x == null || y == null ? null : x + y;
                    }, text);
                }
                case "indexof" -> {
                    strings(parser, arguments, 2, text);
                    Node a = arguments.get(0);
                    Node b = arguments.get(1);
                    return new Computed(Type.INT, c -> {
                        String x = (String) a.value(c);
                        String y = (String) b.value(c);
                        return x == null || y == null ? null : (long) x.indexOf(y);
                    }, text);
                }
                case "contains", "startswith", "endswith" -> {
                    strings(parser, arguments, 2, text);
                    Node a = arguments.get(0);
                    Node b = arguments.get(1);
                    return new Computed(Type.BOOL, c -> {
                        String x = (String) a.value(c);
                        String y = (String) b.value(c);
                        return x != null && y != null && (name.equals("contains") ? x.contains(y)
                                : name.equals("startswith") ? x.startsWith(y) : x.endsWith(y));
                    }, text);
                }
                case "substring" -> {
                    if (arguments.size() < 2 || arguments.size() > 3 || arguments.get(0).type() != Type.STRING
                            || arguments.subList(1, arguments.size()).stream().anyMatch(n -> !(n instanceof Literal
                            literal) || literal.type() != Type.INT)) {
                        throw parser.invalid(text, "substring takes a string and one or two integer literals");
                    }
                    Node p = arguments.get(0);
                    int start = ((Long) ((Literal) arguments.get(1)).constant()).intValue();
                    Integer length = arguments.size() == 3
                            ? ((Long) ((Literal) arguments.get(2)).constant()).intValue() : null;
                    return new Computed(Type.STRING, c -> {
                        String s = (String) p.value(c);
                        if (s == null || start < 0 || start > s.length()) {
                            return null;
                        }
                        int end = length == null ? s.length() : Math.min(s.length(), start + Math.max(0, length));
                        return s.substring(start, end);
                    }, text);
                }
                case "length" -> {
                    if (arguments.size() != 1 || arguments.get(0).type() != Type.STRING
                            && arguments.get(0).type() != Type.COLLECTION) {
                        throw parser.invalid(text, "length takes a string or a collection");
                    }
                    Node p = arguments.get(0);
                    return new Computed(Type.INT, c -> {
                        Object value = p.value(c);
                        return value instanceof String s ? (Object) (long) s.length()
                                : value instanceof java.util.Collection<?> collection ? (Object) (long) collection.size()
                                : null;
                    }, text);
                }
                default -> throw parser.invalid(text, "unknown function '" + name + "'");
            }
        }

        private static void strings(Parser parser, List<Node> arguments, int count, String text) {
            if (arguments.size() != count) {
                throw parser.invalid(text, "expected " + count + " argument" + (count == 1 ? "" : "s"));
            }
            for (Node argument : arguments) {
                if (argument.type() != Type.STRING && argument.type() != Type.NULL) {
                    throw parser.invalid(argument.text(), "Type '" + argument.type().word + "', expect 'string'");
                }
            }
        }
    }
}
