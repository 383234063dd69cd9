package io.xregion.webpubsub;

/** What the app server believes about an instance. UNKNOWN lasts until the first probe answers. */
public enum HealthState {
    UNKNOWN, UP, DOWN
}
