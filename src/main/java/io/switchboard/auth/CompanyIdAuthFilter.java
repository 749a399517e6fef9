package io.switchboard.auth;

import io.dropwizard.auth.AuthFilter;
import io.switchboard.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;

/**
 * Klaviyo's client endpoints: the public company id in {@code ?company_id=}. No secret is involved, so
 * a missing or unknown id is a 400 naming the parameter (as Klaviyo answers), not a 401.
 */
@Priority(Priorities.AUTHENTICATION)
public class CompanyIdAuthFilter extends AuthFilter<String, Caller> {

    @Override
    public void filter(ContainerRequestContext ctx) {
        String id = ctx.getUriInfo().getQueryParameters().getFirst("company_id");
        if (id == null || id.isBlank()) {
            throw ApiException.invalidParameter("company_id",
                    "The `company_id` query parameter is required (your public 6-character company id).");
        }
        if (!authenticate(ctx, id.trim(), "company_id")) {
            throw ApiException.invalidParameter("company_id", "`company_id` does not name a known company.");
        }
    }

    public static class Builder extends AuthFilterBuilder<String, Caller, CompanyIdAuthFilter> {
        @Override
        protected CompanyIdAuthFilter newInstance() {
            return new CompanyIdAuthFilter();
        }
    }
}
