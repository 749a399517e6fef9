package io.switchboard.core.identity;

/** The outcome of a write: the profile it landed on (the survivor), and whether that profile is new. */
public record ResolvedProfile(String profileId, boolean created) {}
