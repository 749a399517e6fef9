package io.switchboard.resources.klaviyo;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Enforces the {@code revision} header on every Klaviyo resource (resource classes annotated
 * {@link KlaviyoApi}) and echoes the revision used in the response. Runs after authentication: a bad
 * key is 401 before a bad revision is 400.
 */
@Priority(Priorities.HEADER_DECORATOR)
public class KlaviyoRevisionFilter implements ContainerRequestFilter, ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext req) {
        KlaviyoRevision r = KlaviyoRevision.resolve(req.getHeaderString(KlaviyoRevision.HEADER),
                req.getHeaderString(KlaviyoRevision.OPT_OUT_HEADER));
        req.setProperty(KlaviyoRevision.PROPERTY, r);
    }

    @Override
    public void filter(ContainerRequestContext req, ContainerResponseContext res) {
        if (req.getProperty(KlaviyoRevision.PROPERTY) instanceof KlaviyoRevision r) {
            res.getHeaders().putSingle(KlaviyoRevision.HEADER, r.header());
            // Klaviyo serves a retired revision as the oldest supported one; say so rather than silently
            if (r.fellForward()) res.getHeaders().putSingle("Warning", r.fallForwardWarning());
        }
    }

    /** Registers the filter on {@link KlaviyoApi} resources only. */
    public static final class Feature implements DynamicFeature {
        private final KlaviyoRevisionFilter filter = new KlaviyoRevisionFilter();

        @Override
        public void configure(ResourceInfo info, FeatureContext context) {
            if (info.getResourceClass().isAnnotationPresent(KlaviyoApi.class)) {
                context.register(filter);
            }
        }
    }
}
