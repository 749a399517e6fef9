package io.switchboard.core.tenancy;

import java.time.Instant;

/** A tenant. {@code id} is internal; {@code publicId} is what users, URLs and browser pages carry. */
public record Company(long id, String publicId, String name, Instant createdAt,
                      @org.jdbi.v3.json.Json CompanySettings settings) {}
