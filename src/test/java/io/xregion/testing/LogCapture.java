package io.xregion.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/** Everything logged while it is open, messages and stack traces, at every level the configuration lets through. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    /**
     * A message and the {@link System#nanoTime()} at which it was appended. Appenders run in the thread that logs, so
     * a line logged before a step of a route and one logged after it are at least that step's duration apart.
     */
    public record Line(long atNanos, String message) {
    }

    private final StringBuffer text = new StringBuffer();
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogCapture() {
        super("test-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture begin() {
        LogCapture capture = new LogCapture();
        capture.start0();
        return capture;
    }

    private void start0() {
        start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.addAppender(this);
        configuration.getRootLogger().addAppender(this, null, null);
        // an additive logger's events reach the root's appenders too: only the others need it, or lines come twice
        configuration.getLoggers().values().stream().filter(logger -> !logger.isAdditive())
                .forEach(logger -> logger.addAppender(this, null, null));
        context.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        lines.add(new Line(System.nanoTime(), event.getMessage().getFormattedMessage()));
        text.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(' ')
                .append(event.getMessage().getFormattedMessage()).append('\n');
        if (event.getThrown() != null) {
            StringWriter trace = new StringWriter();
            event.getThrown().printStackTrace(new PrintWriter(trace));
            text.append(trace);
        }
    }

    public String text() {
        return text.toString();
    }

    /** The messages that contain the fragment, oldest first. */
    public List<Line> lines(String fragment) {
        return lines.stream().filter(line -> line.message().contains(fragment)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.getRootLogger().removeAppender(getName());
        configuration.getLoggers().values().forEach(logger -> logger.removeAppender(getName()));
        context.updateLoggers();
        stop();
    }
}
