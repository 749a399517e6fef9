package io.switchboard.portal;

import io.switchboard.core.members.MemberService;
import io.switchboard.core.members.Role;
import java.util.List;

/** The signed-in member on a company page: their session, the company in the URL and their role in it. */
public record PortalContext(MemberService.Session session, MemberService.Membership company,
                            List<MemberService.Membership> companies) {
    public Role role() {
        return company == null ? null : company.role();
    }

    public boolean isOwner() {
        return company != null && company.role() == Role.OWNER;
    }

    public boolean isEditor() {
        return company != null && company.role().atLeast(Role.EDITOR);
    }

    public long companyId() {
        return company.companyId();
    }

    /** The company's base path, e.g. {@code /portal/c/Ab12Cd}. */
    public String base() {
        return company == null ? "/portal" : "/portal/c/" + company.companyPublicId();
    }
}
