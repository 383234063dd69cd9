package io.xregion.emulator.localazure;

import java.util.List;

/**
 * The local Azure's settings cannot be used as they are: one problem per line, each starting with the setting it is
 * about ({@code webpubsub.eastus.port: ...}). Messages never hold a key's value.
 */
public final class InvalidSettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    static InvalidSettingsException of(String setting, String problem) {
        return new InvalidSettingsException(List.of(setting + ": " + problem));
    }

    public List<String> problems() {
        return problems;
    }
}
