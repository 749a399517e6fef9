package io.switchboard.core.campaigns;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A campaign's delivery channel, the template fields it uses and the provider types that can carry it. */
public enum Channel {
    EMAIL(List.of("from", "reply_to", "subject", "html", "text"), Set.of("smtp", "log")),
    SMS(List.of("text"), Set.of("twilio", "log")),
    PUSH(List.of("title", "body", "url", "data"), Set.of("fcm", "apns", "log")),
    WEBHOOK(List.of("method", "url", "headers", "body"), Set.of("webhook", "log"));

    private final List<String> templateFields;
    private final Set<String> providerTypes;

    Channel(List<String> templateFields, Set<String> providerTypes) {
        this.templateFields = templateFields;
        this.providerTypes = providerTypes;
    }

    public String wire() { return name().toLowerCase(Locale.ROOT); }

    public List<String> templateFields() { return templateFields; }

    public boolean acceptsProvider(String type) { return providerTypes.contains(type); }

    public Set<String> providerTypes() { return providerTypes; }

    public static Optional<Channel> parse(String s) {
        return Arrays.stream(values()).filter(c -> c.wire().equals(s)).findFirst();
    }
}
