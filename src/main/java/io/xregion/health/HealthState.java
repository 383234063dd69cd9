package io.xregion.health;

/**
 * What the app server believes about a Web PubSub instance or a Service Bus namespace, one state set for both:
 * UP takes traffic, DOWN does not, and UNKNOWN lasts until the first probe answers (an instance gets no traffic;
 * a namespace is assumed UP until a send or a probe says otherwise).
 */
public enum HealthState {
    UNKNOWN, UP, DOWN
}
