package io.switchboard.auth;

import io.dropwizard.auth.Auth;
import io.dropwizard.auth.AuthFilter;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.chained.ChainedAuthFilter;
import io.switchboard.errors.Dialect;
import jakarta.annotation.Priority;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Like Dropwizard's {@code AuthDynamicFeature}, but the filter chain depends on the resource's
 * {@link AuthDialect}: each dialect accepts exactly the credential forms of tenancy.md, so (say) a
 * public company id in a query string never authenticates a secret-key endpoint.
 */
public class DialectAuthFeature implements DynamicFeature {
    private final Map<Dialect, ContainerRequestFilter> chains = new EnumMap<>(Dialect.class);
    private final boolean adminTokenConfigured;

    public DialectAuthFeature(Authenticator<String, Caller> keys, Authenticator<String, Caller> adminOrKeys,
                              Authenticator<String, Caller> companyIds) {
        this(keys, adminOrKeys, companyIds, true);
    }

    /** {@code adminTokenConfigured}: whether the admin API's 401 may point at the admin token, or says there is none. */
    public DialectAuthFeature(Authenticator<String, Caller> keys, Authenticator<String, Caller> adminOrKeys,
                              Authenticator<String, Caller> companyIds, boolean adminTokenConfigured) {
        this.adminTokenConfigured = adminTokenConfigured;
        var authorizer = new CallerAuthorizer();
        chains.put(Dialect.KLAVIYO_CLIENT, chain(Dialect.KLAVIYO_CLIENT,
                new CompanyIdAuthFilter.Builder().setAuthenticator(companyIds).setPrefix("company_id")
                        .setAuthorizer(authorizer)));
        chains.put(Dialect.KLAVIYO_SERVER, chain(Dialect.KLAVIYO_SERVER,
                new HeaderSchemeAuthFilter.Builder().setAuthenticator(keys).setPrefix("Klaviyo-API-Key")
                        .setAuthorizer(authorizer),
                new HeaderSchemeAuthFilter.Builder().setAuthenticator(keys).setPrefix("Bearer")
                        .setAuthorizer(authorizer)));
        chains.put(Dialect.PARCELVOY, chain(Dialect.PARCELVOY,
                new HeaderSchemeAuthFilter.Builder().setAuthenticator(keys).setPrefix("Bearer")
                        .setAuthorizer(authorizer)));
        chains.put(Dialect.DITTOFEED, chain(Dialect.DITTOFEED,
                new WriteKeyAuthFilter.Builder().setAuthenticator(keys).setPrefix("Basic").setAuthorizer(authorizer),
                new WriteKeyAuthFilter.Builder("PublicWriteKey").setAuthenticator(keys).setPrefix("Basic")
                        .setAuthorizer(authorizer)));
        chains.put(Dialect.SEGMENT, chain(Dialect.SEGMENT,
                new SegmentKeyAuthFilter.Builder().setAuthenticator(keys).setPrefix("Basic").setAuthorizer(authorizer)));
        chains.put(Dialect.ADMIN, chain(Dialect.ADMIN,
                new HeaderSchemeAuthFilter.Builder().setAuthenticator(adminOrKeys).setPrefix("Bearer")
                        .setAuthorizer(authorizer)));
    }

    @SafeVarargs
    private ContainerRequestFilter chain(Dialect dialect, AuthFilter.AuthFilterBuilder<String, Caller, ?>... builders) {
        var handler = new DialectUnauthorizedHandler(dialect, adminTokenConfigured);
        List<AuthFilter> filters = new java.util.ArrayList<>();
        for (var b : builders) {
            filters.add(b.setUnauthorizedHandler(handler).setRealm("switchboard").buildAuthFilter());
        }
        return filters.size() == 1 ? filters.get(0) : new ChainedAuthFilter<String, Caller>(filters);
    }

    /** The filter chain of a dialect (used by tests and by resources that authenticate from the body). */
    public ContainerRequestFilter chainFor(Dialect d) {
        return chains.get(d);
    }

    @Override
    public void configure(ResourceInfo info, FeatureContext context) {
        Method m = info.getResourceMethod();
        AuthDialect ad = info.getResourceClass().getAnnotation(AuthDialect.class);
        if (ad == null) {
            return;
        }
        ContainerRequestFilter chain = chains.get(ad.value());
        if (chain == null) {
            return;
        }
        boolean optional = false;
        boolean needs = m.isAnnotationPresent(RolesAllowed.class) || m.isAnnotationPresent(PermitAll.class)
                || info.getResourceClass().isAnnotationPresent(RolesAllowed.class)
                || info.getResourceClass().isAnnotationPresent(PermitAll.class);
        for (Parameter p : m.getParameters()) {
            for (Annotation a : p.getAnnotations()) {
                if (a instanceof Auth) {
                    needs = true;
                    optional |= p.getType() == Optional.class;
                }
            }
        }
        if (!needs) {
            return;
        }
        context.register(optional ? new OptionalAuthFilter(chain) : chain);
    }

    /** Lets a request without valid credentials through unauthenticated (for {@code @Auth Optional<Caller>}). */
    @Priority(Priorities.AUTHENTICATION)
    static final class OptionalAuthFilter implements ContainerRequestFilter {
        private final ContainerRequestFilter delegate;

        OptionalAuthFilter(ContainerRequestFilter delegate) {
            this.delegate = delegate;
        }

        @Override
        public void filter(ContainerRequestContext ctx) throws IOException {
            try {
                delegate.filter(ctx);
            } catch (WebApplicationException e) {
                if (e.getResponse().getStatus() != 401) {
                    throw e;
                }
            }
        }
    }
}
