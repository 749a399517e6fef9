package io.switchboard.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.auth.Auth;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.events.EventReads;
import io.switchboard.core.events.EventReads.Cursor;
import io.switchboard.core.identity.IdentityService;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.db.ConsentDao;
import io.switchboard.db.DeviceDao;
import io.switchboard.db.EventDao.EventRow;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import io.switchboard.api.Body;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/**
 * The dialect-neutral admin view of what the store holds for a profile (its survivor and tombstones):
 * {@code …/events} (every type, newest first, cursor-paged), {@code …/devices}, {@code …/subscriptions}
 * (consent plus list, group and back-in-stock memberships). Secret key of the company only.
 */
@Path("/admin/companies/{company}/profiles")
@AuthDialect(Dialect.ADMIN)
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminProfileDataResource {
    private final TenancyService tenancy;
    private final IdentityService identity;
    private final EventReads reads;

    public AdminProfileDataResource(TenancyService tenancy, IdentityService identity, EventReads reads) {
        this.tenancy = tenancy;
        this.identity = identity;
        this.reads = reads;
    }

    @GET
    @Path("/{profileId}/events")
    public Response events(@Context UriInfo uri, @Auth Caller caller, @PathParam("company") String company,
                           @PathParam("profileId") String profileId, @QueryParam("page[size]") String pageSize,
                           @QueryParam("page[cursor]") String cursor, @QueryParam("type") String type) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(companyId, profileId); // 404 (naming the survivor for a tombstone)
        int size = Paging.size(pageSize, 100, 1000);
        Cursor after = Paging.cursor(cursor, Cursor::decode);
        String[] types = type == null || type.isBlank() ? EventReads.ALL_TYPES : type.split(",");
        List<EventRow> rows = reads.list(companyId, new EventReads.Query(profileId, null, null, null, true, size, after,
                types, false));
        boolean more = rows.size() > size;
        if (more) rows = rows.subList(0, size);
        ObjectNode doc = Body.MAPPER.createObjectNode();
        ArrayNode data = doc.putArray("data");
        for (EventRow r : rows) {
            ObjectNode o = data.addObject().put("type", "event").put("id", r.id());
            ObjectNode a = o.putObject("attributes");
            a.put("event_type", r.type());
            a.put("name", r.name());
            a.put("profile_id", r.profileId());
            a.put("metric_id", r.metricId());
            a.put("occurred_at", r.occurredAt().toString());
            a.put("received_at", r.receivedAt().toString());
            a.put("source", r.source());
            a.set("properties", parse(r.properties()));
            if (r.value() != null) a.put("value", r.value());
            a.put("value_currency", r.valueCurrency());
            a.put("dedup_key", r.dedupKey());
            a.set("raw", parse(r.raw()));
        }
        ObjectNode links = doc.putObject("links").put("self", uri.getRequestUri().toString());
        if (more) {
            EventRow last = rows.get(rows.size() - 1);
            links.put("next", uri.getRequestUriBuilder().replaceQueryParam("page[cursor]",
                    new Cursor(last.occurredAt(), last.id()).encode()).build().toString());
        }
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).build();
    }

    @GET
    @Path("/{profileId}/devices")
    public Response devices(@Auth Caller caller, @PathParam("company") String company,
                            @PathParam("profileId") String profileId) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(companyId, profileId);
        ObjectNode doc = Body.MAPPER.createObjectNode();
        ArrayNode data = doc.putArray("data");
        for (DeviceDao.DeviceRow d : reads.devices(companyId, profileId)) {
            ObjectNode a = data.addObject().put("type", "device").put("id", d.id()).putObject("attributes");
            a.put("device_id", d.deviceId());
            a.put("profile_id", d.profileId());
            a.put("token", d.token());
            a.put("enabled", d.enabled());
            a.put("platform", d.platform());
            a.put("vendor", d.vendor());
            a.put("os", d.os());
            a.put("os_version", d.osVersion());
            a.put("model", d.model());
            a.put("app_build", d.appBuild());
            a.put("app_version", d.appVersion());
            a.put("enablement_status", d.enablementStatus());
            a.put("background", d.background());
            a.set("metadata", parse(d.metadata()));
            a.put("source", d.source());
            a.put("created", d.createdAt().toString());
            a.put("updated", d.updatedAt().toString());
        }
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).build();
    }

    @GET
    @Path("/{profileId}/subscriptions")
    public Response subscriptions(@Auth Caller caller, @PathParam("company") String company,
                                  @PathParam("profileId") String profileId) {
        long companyId = AdminAccess.secretCompanyId(tenancy, caller, company);
        identity.get(companyId, profileId);
        ObjectNode doc = Body.MAPPER.createObjectNode();
        ArrayNode data = doc.putArray("data");
        for (ConsentDao.SubscriptionRow s : reads.subscriptions(companyId, profileId)) {
            ObjectNode a = data.addObject().put("type", "subscription")
                    .put("id", s.channel() + "." + s.purpose()).putObject("attributes");
            a.put("channel", s.channel());
            a.put("purpose", s.purpose());
            a.put("state", s.state());
            a.put("consented_at", s.consentedAt() == null ? null : s.consentedAt().toString());
            a.put("source", s.source());
            a.put("custom_source", s.customSource());
            a.put("updated", s.updatedAt().toString());
        }
        ArrayNode memberships = doc.putObject("meta").putArray("memberships");
        for (ConsentDao.MembershipRow m : reads.memberships(companyId, profileId)) {
            ObjectNode o = memberships.addObject().put("kind", m.kind()).put("id", m.targetId())
                    .put("created", m.createdAt().toString());
            if (m.detail() != null) o.put("channels", m.detail());
        }
        return Response.ok(doc).type(JsonApi.MEDIA_TYPE).build();
    }

    private static JsonNode parse(String json) {
        if (json == null) return Body.MAPPER.nullNode();
        try {
            return Body.MAPPER.readTree(json);
        } catch (Exception e) {
            return Body.MAPPER.nullNode();
        }
    }
}
