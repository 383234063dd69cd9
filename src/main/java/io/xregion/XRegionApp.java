package io.xregion;

import org.apache.camel.main.Main;

/** Runs xregion with ./application.properties and the routes it names (CAMEL_MAIN_* variables override both). */
public final class XRegionApp {

    private XRegionApp() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(XRegionApp.class);
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        main.run(args);
    }
}
