package io.switchboard.resources;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import io.dropwizard.auth.Auth;
import io.switchboard.api.admin.BroadcastDto;
import io.switchboard.auth.AuthDialect;
import io.switchboard.auth.Caller;
import io.switchboard.core.campaigns.Broadcast;
import io.switchboard.core.campaigns.BroadcastService;
import io.switchboard.core.tenancy.TenancyService;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.Dialect;
import io.switchboard.jsonapi.JsonApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /admin/companies/{id}/campaigns/{campaignId}/broadcasts}: a campaign sent to a list or a segment
 * (docs/audiences.md, "Broadcasts"): create (now, at {@code send_at}, or at {@code local_send_at} in each
 * recipient's zone), list, one with its progress by state, and {@code POST …/{broadcastId}/cancel}.
 */
@Path("/admin/companies/{company}/campaigns/{campaign}/broadcasts")
@AuthDialect(Dialect.ADMIN)
@Produces(JsonApi.MEDIA_TYPE)
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class AdminBroadcastsResource {
    private static final Pattern AUDIENCE_ID = Pattern.compile("^[A-Za-z0-9_\\-]{1,64}$");
    private static final Set<String> AUDIENCE_KEYS = Set.of("type", "id");

    private final TenancyService tenancy;
    private final BroadcastService broadcasts;

    public AdminBroadcastsResource(TenancyService tenancy, BroadcastService broadcasts) {
        this.tenancy = tenancy;
        this.broadcasts = broadcasts;
    }

    @POST
    public Response create(@Auth Caller caller, @PathParam("company") String company, @PathParam("campaign") String campaign,
                           JSONAPIDocument<BroadcastDto> doc) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        String campaignId = Docs.id(campaign, "campaign");
        Broadcast b = broadcasts.create(cid, campaignId, command(Docs.data(doc)));
        return Response.status(201).entity(new JSONAPIDocument<>(BroadcastDto.of(b))).build();
    }

    @GET
    public JSONAPIDocument<List<BroadcastDto>> list(@Auth Caller caller, @PathParam("company") String company,
                                                    @PathParam("campaign") String campaign) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(broadcasts.list(cid, Docs.id(campaign, "campaign")).stream()
                .map(BroadcastDto::of).toList());
    }

    @GET
    @Path("/{id}")
    public JSONAPIDocument<BroadcastDto> get(@Auth Caller caller, @PathParam("company") String company,
                                             @PathParam("campaign") String campaign, @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(BroadcastDto.of(broadcasts.get(cid, Docs.id(campaign, "campaign"),
                Docs.id(id, "broadcast"))));
    }

    /** Aborts the broadcast: the job stops, sends not yet handed to a provider are cancelled. */
    @POST
    @Path("/{id}/cancel")
    public JSONAPIDocument<BroadcastDto> cancel(@Auth Caller caller, @PathParam("company") String company,
                                                @PathParam("campaign") String campaign, @PathParam("id") String id) {
        long cid = AdminAccess.secretCompanyId(tenancy, caller, company);
        return new JSONAPIDocument<>(BroadcastDto.of(broadcasts.cancel(cid, Docs.id(campaign, "campaign"),
                Docs.id(id, "broadcast"))));
    }

    /** The typed command from the request attributes; a 400 naming the attribute for anything off. */
    static Broadcast.Command command(BroadcastDto in) {
        if (!(in.audience instanceof Map<?, ?> a)) {
            throw ApiException.invalid("/data/attributes/audience", "`audience` is required: "
                    + "{\"type\": \"list\" or \"segment\", \"id\": the list's or segment's id}.");
        }
        for (Object k : a.keySet()) {
            if (!AUDIENCE_KEYS.contains(String.valueOf(k))) {
                throw ApiException.invalid("/data/attributes/audience/" + k, "Unknown key `" + k
                        + "` in `audience`; it has `type` and `id`.");
            }
        }
        Object type = a.get("type");
        if (!"list".equals(type) && !"segment".equals(type)) {
            throw ApiException.invalid("/data/attributes/audience/type", "`audience.type` must be `list` or `segment`.");
        }
        Object id = a.get("id");
        if (!(id instanceof String s) || !AUDIENCE_ID.matcher(s).matches()) {
            throw ApiException.invalid("/data/attributes/audience/id", "`audience.id` must be the id of one of "
                    + "this company's " + type + "s.");
        }
        if (in.sendAt != null && in.localSendAt != null) {
            throw ApiException.invalid("/data/attributes/local_send_at", "Give `send_at` or `local_send_at`, not both.");
        }
        Instant sendAt = null;
        if (in.sendAt != null) {
            sendAt = in.sendAt instanceof String t ? io.switchboard.core.Times.parse(t).orElse(null) : null;
            if (sendAt == null) {
                throw ApiException.invalid("/data/attributes/send_at", "`send_at` must be an ISO-8601 date-time with "
                        + "an offset, e.g. 2026-12-01T09:00:00Z.");
            }
        }
        LocalDateTime local = null;
        if (in.localSendAt != null) {
            try {
                local = LocalDateTime.parse((String) in.localSendAt);
            } catch (ClassCastException | DateTimeParseException e) {
                local = null;
            }
            if (local == null || local.getYear() < 2000 || local.getYear() > 9000) {
                throw ApiException.invalid("/data/attributes/local_send_at", "`local_send_at` must be a date-time "
                        + "without an offset, e.g. 2026-12-01T09:00, sent at that time in each recipient's time zone.");
            }
        }
        return new Broadcast.Command((String) type, (String) id, sendAt, local);
    }
}
