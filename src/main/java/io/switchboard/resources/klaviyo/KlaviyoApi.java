package io.switchboard.resources.klaviyo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource class as a Klaviyo endpoint: {@link KlaviyoRevisionFilter} then requires and
 * validates the {@code revision} header and echoes the revision used. Every Klaviyo resource
 * ({@code /client/*} and {@code /api/*} of the Klaviyo dialect, events included) carries it next to its
 * {@code @AuthDialect(KLAVIYO_CLIENT | KLAVIYO_SERVER)}; test probes that share the auth dialect do not.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface KlaviyoApi {}
