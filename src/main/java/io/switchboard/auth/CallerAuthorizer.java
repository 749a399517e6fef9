package io.switchboard.auth;

import io.dropwizard.auth.Authorizer;
import jakarta.ws.rs.container.ContainerRequestContext;

/** Roles: {@code secret} (an sk_ key) and {@code admin} (the bootstrap token). */
public class CallerAuthorizer implements Authorizer<Caller> {
    @Override
    public boolean authorize(Caller caller, String role, ContainerRequestContext ctx) {
        return switch (role) {
            case Caller.ROLE_SECRET -> caller.kind() == Caller.Kind.SECRET;
            case Caller.ROLE_ADMIN -> caller.kind() == Caller.Kind.ADMIN;
            default -> false;
        };
    }
}
