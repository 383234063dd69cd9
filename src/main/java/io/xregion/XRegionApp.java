package io.xregion;

import org.apache.camel.main.Main;

import io.xregion.config.StartUp;

/** Runs xregion with ./application.properties and the routes it names (CAMEL_MAIN_* variables override both). */
public final class XRegionApp {

    private XRegionApp() {
    }

    public static void main(String[] args) throws Exception {
        newMain().run(args);
    }

    /** camel-main as xregion runs it: its settings file, and its start-up ({@link StartUp}) before any bean. */
    public static Main newMain() {
        Main main = new Main(XRegionApp.class);
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        main.addMainListener(new StartUp());
        return main;
    }
}
