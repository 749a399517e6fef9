package io.switchboard.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.SwitchboardApplication;
import io.switchboard.auth.Caller;
import io.switchboard.core.Tx;
import io.switchboard.core.tenancy.CompanySettings;
import io.switchboard.db.ProfileDao;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import io.switchboard.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** identity.md, rule by rule, against a real PostgreSQL. Each test uses a fresh company. */
class IdentityServiceTest {
    static String url;
    static Jdbi jdbi;
    static IdentityService identity;
    static final AtomicLong SEQ = new AtomicLong();
    static final WriteContext CTX = new WriteContext(new Caller(0, "TEST00", Caller.Kind.SECRET, "1", "sk_test0").credentialLabel(), "test");
    static volatile CompanySettings settings = CompanySettings.DEFAULTS;
    long company;

    @BeforeAll
    static void setUp() {
        url = TestDatabase.newDatabase();
        jdbi = SwitchboardApplication.newJdbi(Jdbi.create(url, "postgres", ""), new com.fasterxml.jackson.databind.ObjectMapper());
        identity = new IdentityService(new Tx(jdbi), id -> settings);
    }

    @AfterAll
    static void tearDown() {
        settings = CompanySettings.DEFAULTS;
    }

    @BeforeEach
    void newCompany() {
        settings = CompanySettings.DEFAULTS;
        company = newCompanyId();
    }

    static long newCompanyId() {
        String pid = String.format("T%05d", SEQ.incrementAndGet());
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO companies (public_id, name) VALUES (:p, 'test') RETURNING id")
                .bind("p", pid).mapTo(Long.class).one());
    }

    // ---- helpers

    ResolvedProfile write(Identifiers ids) {
        return write(ids, ProfileWrite.NONE, WriteMode.NORMAL);
    }

    ResolvedProfile write(Identifiers ids, ProfileWrite w, WriteMode mode) {
        return identity.identify(company, ids, w, mode, CTX);
    }

    Profile profile(String id) {
        return identity.get(company, id);
    }

    long liveProfiles() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM profiles WHERE company_id = :c AND merged_into IS NULL")
                .bind("c", company).mapTo(Long.class).one());
    }

    String ownerOf(String kind, String value) {
        return jdbi.withHandle(h -> h.createQuery("SELECT profile_id FROM profile_identifiers WHERE company_id = :c AND kind = :k AND value = :v")
                .bind("c", company).bind("k", kind).bind("v", value).mapTo(String.class).findOne().orElse(null));
    }

    List<String> operations(String profileId) {
        return identity.history(company, profileId).stream().map(ProfileDao.HistoryRow::operation).toList();
    }

    static Identifiers ids(String ext, String email, String phone, String anon) {
        return Identifiers.of(ext, email, phone, anon);
    }

    static ProfileWrite attrs(Object... kv) {
        ProfileWrite.Builder b = ProfileWrite.builder();
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            JsonNode v = kv[i + 1] == null ? NullNode.getInstance() : kv[i + 1] instanceof Integer n ? IntNode.valueOf(n)
                    : TextNode.valueOf(kv[i + 1].toString());
            if (k.startsWith("p:")) b.property(k.substring(2), v);
            else b.attribute(k, v);
        }
        return b.build();
    }

    /** Invariants that must hold after any sequence of writes. */
    void assertConsistent() {
        jdbi.useHandle(h -> {
            // identifiers never point at tombstones or missing profiles
            long bad = h.createQuery("SELECT count(*) FROM profile_identifiers i LEFT JOIN profiles p "
                    + "ON p.company_id = i.company_id AND p.id = i.profile_id WHERE i.company_id = :c "
                    + "AND (p.id IS NULL OR p.merged_into IS NOT NULL)").bind("c", company).mapTo(Long.class).one();
            assertThat(bad).as("identifiers owned by tombstones").isZero();
            // the profile columns agree with the claim table
            long mismatched = h.createQuery("SELECT count(*) FROM profiles p WHERE p.company_id = :c AND p.merged_into IS NULL AND ("
                    + "(p.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM profile_identifiers i WHERE i.company_id = p.company_id "
                    + "AND i.kind = 'email' AND i.value = p.email AND i.profile_id = p.id)) OR "
                    + "(p.external_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM profile_identifiers i WHERE i.company_id = p.company_id "
                    + "AND i.kind = 'external_id' AND i.value = p.external_id AND i.profile_id = p.id)) OR "
                    + "(SELECT count(*) FROM profile_identifiers i WHERE i.company_id = p.company_id AND i.profile_id = p.id "
                    + "AND i.kind IN ('email', 'external_id', 'phone_number')) <> "
                    + "(CASE WHEN p.email IS NULL THEN 0 ELSE 1 END + CASE WHEN p.external_id IS NULL THEN 0 ELSE 1 END "
                    + "+ CASE WHEN p.phone_number IS NULL THEN 0 ELSE 1 END))").bind("c", company).mapTo(Long.class).one();
            assertThat(mismatched).as("profiles whose columns disagree with their claims").isZero();
        });
    }

    @Nested
    class Normalisation {
        @Test
        void emailsAreTrimmedAndLowercased() {
            ResolvedProfile a = write(ids(null, "  Jane@Example.COM ", null, null));
            assertThat(profile(a.profileId()).email()).isEqualTo("jane@example.com");
            assertThat(write(ids(null, "jane@example.com", null, null)).profileId()).isEqualTo(a.profileId());
        }

        @Test
        void phonesBecomeE164WithTheCompanyRegion() {
            ResolvedProfile us = write(ids(null, null, "(415) 555-2671", null));
            assertThat(profile(us.profileId()).phoneNumber()).isEqualTo("+14155552671");
            settings = new CompanySettings("GB", null, null, null);
            ResolvedProfile gb = write(ids(null, null, "020 7946 0018", null));
            assertThat(profile(gb.profileId()).phoneNumber()).isEqualTo("+442079460018");
            assertThat(write(ids(null, null, "+44 20 7946 0018", null)).profileId()).isEqualTo(gb.profileId());
        }

        @Test
        void junkValuesAreNeverIdentifiers() {
            for (String junk : List.of("", " ", "null", "NULL", "undefined", "\"undefined\"", "NaN", "none", "anonymous",
                    "Guest", "[object Object]", "0", "-1", "000", "--", "'null'")) {
                assertThatThrownBy(() -> write(ids(junk, null, null, junk)))
                        .as(junk).isInstanceOf(ApiException.class);
            }
            ResolvedProfile r = write(ids("null", "jane@x.io", null, "undefined"));
            Profile p = profile(r.profileId());
            assertThat(p.externalId()).isNull();
            assertThat(p.anonymousIds()).isEmpty();
            assertThat(p.email()).isEqualTo("jane@x.io");
        }

        @Test
        void companyBlockListIsJunkToo() {
            settings = new CompanySettings("US", null, List.of("test-user"), null);
            ResolvedProfile r = write(ids("TEST-USER", null, null, "a1"));
            assertThat(profile(r.profileId()).externalId()).isNull();
        }

        @Test
        void malformedEmailIsRejectedForStrictWritesAndIgnoredOtherwise() {
            assertThatThrownBy(() -> write(ids("u1", "not-an-email", null, null), ProfileWrite.NONE, WriteMode.STRICT_CREATE))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("email"));
            assertThat(liveProfiles()).isZero();
            ResolvedProfile r = write(ids("u1", "not-an-email", null, null));
            assertThat(profile(r.profileId()).email()).isNull();
        }
    }

    @Nested
    class Resolution {
        @Test
        void newIdentifiersCreateOneProfileHoldingAll() {
            ResolvedProfile r = write(ids("u1", "a@x.io", "+14155552671", "anon-1"));
            assertThat(r.created()).isTrue();
            Profile p = profile(r.profileId());
            assertThat(p.id()).hasSize(26);
            assertThat(p.externalId()).isEqualTo("u1");
            assertThat(p.email()).isEqualTo("a@x.io");
            assertThat(p.phoneNumber()).isEqualTo("+14155552671");
            assertThat(p.anonymousIds()).containsExactly("anon-1");
            assertThat(operations(r.profileId())).containsExactly("create");
        }

        @Test
        void ownedExternalIdIsTheAnchorAndAnonymousProfileMergesIn() {
            String user = write(ids("u1", null, null, null)).profileId();
            String anon = write(ids(null, null, null, "a1")).profileId();
            ResolvedProfile r = write(ids("u1", null, null, "a1"));
            assertThat(r.profileId()).isEqualTo(user);
            assertThat(ownerOf("anonymous_id", "a1")).isEqualTo(user);
            assertThatThrownBy(() -> profile(anon)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
                assertThat(e.meta()).containsEntry("merged_into", user);
            });
            assertThat(liveProfiles()).isEqualTo(1);
            assertConsistent();
        }

        @Test
        void externalIdThatNoOneOwnsJoinsTheOwnerOfAnotherIdentifierWithoutOne() {
            String anon = write(ids(null, "e@x.io", null, "a1")).profileId();
            ResolvedProfile r = write(ids("u9", "e@x.io", null, null));
            assertThat(r.profileId()).isEqualTo(anon);
            assertThat(profile(anon).externalId()).isEqualTo("u9");
        }

        @Test
        void spec_example_u2WithU1sEmailGetsItsOwnProfileAndTheEmailStays() {
            String u1 = write(ids("u1", "e@x.io", null, null)).profileId();
            ResolvedProfile u2 = write(ids("u2", "e@x.io", null, null));
            assertThat(u2.profileId()).isNotEqualTo(u1);
            assertThat(u2.created()).isTrue();
            assertThat(profile(u2.profileId()).email()).isNull();
            assertThat(profile(u1).email()).isEqualTo("e@x.io");
            assertThat(ownerOf("email", "e@x.io")).isEqualTo(u1);
            assertThat(operations(u2.profileId())).contains("create", "conflict");
            assertConsistent();
        }

        @Test
        void withoutExternalIdTheHighestRankedOwnerAnchorsAndTheRestMerge() {
            String byEmail = write(ids(null, "e@x.io", null, null)).profileId();
            String byPhone = write(ids(null, null, "+14155552671", null)).profileId();
            String byAnon = write(ids(null, null, null, "a1")).profileId();
            ResolvedProfile r = write(ids(null, "e@x.io", "+14155552671", "a1"));
            assertThat(r.profileId()).isEqualTo(byEmail);
            assertThat(liveProfiles()).isEqualTo(1);
            Profile p = profile(byEmail);
            assertThat(p.phoneNumber()).isEqualTo("+14155552671");
            assertThat(p.anonymousIds()).containsExactly("a1");
            assertThat(profile(byEmail).id()).isNotIn(byPhone, byAnon);
            assertConsistent();
        }

        @Test
        void aProfileWithADifferentExternalIdIsNeverMergedAutomatically() {
            String u1 = write(ids("u1", null, null, "a1")).profileId();
            String u2 = write(ids("u2", "e@x.io", null, null)).profileId();
            // the request names u1's anonymous id and u2's email: u2 anchors (email outranks), u1 stays
            ResolvedProfile r = write(ids(null, "e@x.io", null, "a1"));
            assertThat(r.profileId()).isEqualTo(u2);
            assertThat(liveProfiles()).isEqualTo(2);
            assertThat(ownerOf("anonymous_id", "a1")).isEqualTo(u1);
            assertThat(operations(u1)).contains("conflict");
            assertConsistent();
        }

        @Test
        void survivorIsTheProfileWithTheExternalId() {
            String anonymous = write(ids(null, "e@x.io", null, null)).profileId();
            String known = write(ids("u1", null, null, "a1")).profileId();
            // e@x.io anchors (highest rank) but u1's profile survives the merge because it has an external id
            ResolvedProfile r = write(ids(null, "e@x.io", null, "a1"));
            assertThat(r.profileId()).isEqualTo(known);
            Profile p = profile(known);
            assertThat(p.email()).isEqualTo("e@x.io");
            assertThat(p.externalId()).isEqualTo("u1");
            assertThatThrownBy(() -> profile(anonymous)).isInstanceOf(ApiException.class);
            assertConsistent();
        }

        @Test
        void mergeKeepsTheOlderCreatedAndUnitesAnonymousIds() throws Exception {
            String older = write(ids(null, null, null, "a1")).profileId();
            Instant olderCreated = profile(older).createdAt();
            Thread.sleep(5);
            String newer = write(ids("u1", null, null, "a2")).profileId();
            write(ids("u1", null, null, "a1"));
            Profile p = profile(newer);
            assertThat(p.createdAt()).isEqualTo(olderCreated);
            assertThat(p.anonymousIds()).containsExactlyInAnyOrder("a1", "a2");
        }

        @Test
        void aNewEmailReplacesTheOldOneWhichIsReleased() {
            String u1 = write(ids("u1", "old@x.io", null, null)).profileId();
            write(ids("u1", "new@x.io", null, null));
            assertThat(profile(u1).email()).isEqualTo("new@x.io");
            assertThat(ownerOf("email", "old@x.io")).isNull();
            // the released address is free for someone else
            String other = write(ids("u2", "old@x.io", null, null)).profileId();
            assertThat(profile(other).email()).isEqualTo("old@x.io");
            assertThat(operations(u1)).contains("release");
            assertConsistent();
        }

        @Test
        void noWriteChangesAnExistingExternalId() {
            String p = write(ids(null, "e@x.io", null, "a1")).profileId();
            write(ids("u1", null, null, "a1"));
            assertThat(profile(p).externalId()).isEqualTo("u1");
            // u2 + a1: a1's owner has u1 → u2 gets a new profile; u1 unchanged
            String u2 = write(ids("u2", null, null, "a1")).profileId();
            assertThat(u2).isNotEqualTo(p);
            assertThat(profile(p).externalId()).isEqualTo("u1");
            assertThat(ownerOf("anonymous_id", "a1")).isEqualTo(p);
        }

        @Test
        void clientWritesNeverReplaceButMayFillEmptyIdentifiers() {
            String p = write(ids("u1", "old@x.io", null, "a1")).profileId();
            write(ids(null, "new@x.io", "+14155552671", "a1"), ProfileWrite.NONE, WriteMode.CLIENT);
            Profile after = profile(p);
            assertThat(after.email()).isEqualTo("old@x.io");
            assertThat(after.phoneNumber()).isEqualTo("+14155552671");
            assertThat(ownerOf("email", "new@x.io")).isNull();
        }

        @Test
        void anonymousIdsAreCappedAt100() {
            String p = write(ids("u1", null, null, "a0")).profileId();
            for (int i = 1; i < 105; i++) write(ids("u1", null, null, "a" + i));
            assertThat(profile(p).anonymousIds()).hasSize(100);
        }
    }

    @Nested
    class Strict {
        @Test
        void strictCreateRefusesAnyOwnedIdentifierWith409AndWritesNothing() {
            String u1 = write(ids("u1", "e@x.io", null, null)).profileId();
            long before = liveProfiles();
            assertThatThrownBy(() -> write(ids("u2", "e@x.io", null, null), ProfileWrite.NONE, WriteMode.STRICT_CREATE))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.DUPLICATE_PROFILE);
                        assertThat(e.meta()).containsEntry("duplicate_profile_id", u1);
                    });
            assertThat(liveProfiles()).isEqualTo(before);
            assertThat(ownerOf("external_id", "u2")).isNull();
        }

        @Test
        void strictUpsertUpdatesTheOneOwnerAndRefusesIdentifiersSpanningProfiles() {
            String a = write(ids(null, "a@x.io", null, null)).profileId();
            String b = write(ids(null, null, "+14155552671", null)).profileId();
            ResolvedProfile up = write(ids(null, "a@x.io", null, null), attrs("first_name", "Ann"), WriteMode.STRICT_UPSERT);
            assertThat(up.profileId()).isEqualTo(a);
            assertThat(up.created()).isFalse();
            assertThat(profile(a).attributes().get("first_name").asText()).isEqualTo("Ann");
            assertThatThrownBy(() -> write(ids(null, "a@x.io", "+14155552671", null), ProfileWrite.NONE, WriteMode.STRICT_UPSERT))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.DUPLICATE_PROFILE));
            assertThat(liveProfiles()).isEqualTo(2);
            assertThat(profile(b).email()).isNull();
            ResolvedProfile created = write(ids(null, "c@x.io", null, null), ProfileWrite.NONE, WriteMode.STRICT_UPSERT);
            assertThat(created.created()).isTrue();
        }

        @Test
        void serverUpdateMayChangeTheExternalIdButNotStealIdentifiers() {
            String a = write(ids("u1", "a@x.io", null, null)).profileId();
            String b = write(ids("u2", "b@x.io", null, null)).profileId();
            identity.tx().run(h -> identity.update(h, company, a, ids("u1-renamed", null, null, null), ProfileWrite.NONE, CTX));
            assertThat(profile(a).externalId()).isEqualTo("u1-renamed");
            assertThat(ownerOf("external_id", "u1")).isNull();
            assertThatThrownBy(() -> identity.tx().run(h -> identity.update(h, company, a, ids(null, "b@x.io", null, null), ProfileWrite.NONE, CTX)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.meta()).containsEntry("duplicate_profile_id", b));
            assertThat(profile(a).email()).isEqualTo("a@x.io");
        }
    }

    @Nested
    class Alias {
        ResolvedProfile alias(String anon, String ext) {
            return identity.tx().run(h -> identity.alias(h, company, anon, ext, CTX));
        }

        @Test
        void neitherExists_oneNewProfileWithBoth() {
            ResolvedProfile r = alias("a1", "u1");
            Profile p = profile(r.profileId());
            assertThat(p.externalId()).isEqualTo("u1");
            assertThat(p.anonymousIds()).containsExactly("a1");
        }

        @Test
        void onlyAnonymousProfileExists_externalIdIsSetOnIt() {
            String a = write(ids(null, null, null, "a1")).profileId();
            assertThat(alias("a1", "u1").profileId()).isEqualTo(a);
            assertThat(profile(a).externalId()).isEqualTo("u1");
        }

        @Test
        void onlyExternalProfileExists_anonymousIdIsAttached() {
            String x = write(ids("u1", null, null, null)).profileId();
            assertThat(alias("a1", "u1").profileId()).isEqualTo(x);
            assertThat(profile(x).anonymousIds()).containsExactly("a1");
        }

        @Test
        void bothOnTheSameProfile_repeatingIsHarmless() {
            String p = alias("a1", "u1").profileId();
            long historyBefore = operations(p).size();
            assertThat(alias("a1", "u1").profileId()).isEqualTo(p);
            assertThat(operations(p)).hasSize((int) historyBefore);
            assertThat(liveProfiles()).isEqualTo(1);
        }

        @Test
        void anonymousProfileWithoutExternalIdMergesIntoTheExternalOne() {
            String a = write(ids(null, "e@x.io", null, "a1")).profileId();
            String x = write(ids("u1", null, null, null)).profileId();
            assertThat(alias("a1", "u1").profileId()).isEqualTo(x);
            assertThat(profile(x).email()).isEqualTo("e@x.io");
            assertThatThrownBy(() -> profile(a)).isInstanceOf(ApiException.class);
            assertConsistent();
        }

        @Test
        void anonymousIdTiedToAnotherExternalId_refusedRecordedAndNothingChanges() {
            String a = write(ids("u1", null, null, "a1")).profileId();
            long profiles = liveProfiles();
            alias("a1", "u2");
            assertThat(liveProfiles()).isEqualTo(profiles);
            assertThat(ownerOf("external_id", "u2")).isNull();
            assertThat(ownerOf("anonymous_id", "a1")).isEqualTo(a);
            assertThat(operations(a)).contains("conflict");
        }
    }

    @Nested
    class Attributes {
        @Test
        void nullClearsAndOmittedIsUnchanged() {
            String p = write(ids("u1", null, null, null), attrs("first_name", "Ann", "last_name", "Lee", "p:plan", "pro"), WriteMode.NORMAL).profileId();
            write(ids("u1", null, null, null), attrs("first_name", null, "p:plan", null), WriteMode.NORMAL);
            Profile after = profile(p);
            assertThat(after.attributes().has("first_name")).isFalse();
            assertThat(after.attributes().get("last_name").asText()).isEqualTo("Lee");
            assertThat(after.properties().has("plan")).isFalse();
        }

        @Test
        void locationFieldsNest() {
            String p = write(ids("u1", null, null, null), attrs("location.city", "Oslo", "location.zip", "0150"), WriteMode.NORMAL).profileId();
            write(ids("u1", null, null, null), attrs("location.city", "Bergen"), WriteMode.NORMAL);
            JsonNode loc = profile(p).attributes().get("location");
            assertThat(loc.get("city").asText()).isEqualTo("Bergen");
            assertThat(loc.get("zip").asText()).isEqualTo("0150");
        }

        @Test
        void aTimestampedWriteDoesNotOverwriteANewerKey() {
            String p = write(ids("u1", null, null, null), attrs("first_name", "New"), WriteMode.NORMAL).profileId();
            ProfileWrite old = ProfileWrite.builder().attribute("first_name", TextNode.valueOf("Old"))
                    .attribute("title", TextNode.valueOf("CTO")).timestamp(Instant.parse("2020-01-01T00:00:00Z")).build();
            write(ids("u1", null, null, null), old, WriteMode.NORMAL);
            Profile after = profile(p);
            assertThat(after.attributes().get("first_name").asText()).isEqualTo("New");
            assertThat(after.attributes().get("title").asText()).isEqualTo("CTO");
        }

        @Test
        void onMergeTheNewestWritePerKeyWinsAndTiesGoToTheSurvivor() {
            String anon = write(ids(null, null, null, "a1"), ProfileWrite.builder()
                    .attribute("first_name", TextNode.valueOf("FromAnonNewer")).property("color", TextNode.valueOf("red"))
                    .timestamp(Instant.parse("2024-06-01T00:00:00Z")).build(), WriteMode.NORMAL).profileId();
            String user = write(ids("u1", null, null, null), ProfileWrite.builder()
                    .attribute("first_name", TextNode.valueOf("FromUserOlder")).attribute("last_name", TextNode.valueOf("UserLast"))
                    .property("color", TextNode.valueOf("blue"))
                    .timestamp(Instant.parse("2024-01-01T00:00:00Z")).build(), WriteMode.NORMAL).profileId();
            // tie on "color": write both at the same instant
            write(ids(null, null, null, "a1"), ProfileWrite.builder().property("size", TextNode.valueOf("anon-size"))
                    .timestamp(Instant.parse("2024-03-01T00:00:00Z")).build(), WriteMode.NORMAL);
            write(ids("u1", null, null, null), ProfileWrite.builder().property("size", TextNode.valueOf("user-size"))
                    .timestamp(Instant.parse("2024-03-01T00:00:00Z")).build(), WriteMode.NORMAL);
            write(ids("u1", null, null, "a1"));
            Profile p = profile(user);
            assertThat(p.attributes().get("first_name").asText()).isEqualTo("FromAnonNewer");
            assertThat(p.attributes().get("last_name").asText()).isEqualTo("UserLast");
            assertThat(p.properties().get("color").asText()).isEqualTo("red");
            assertThat(p.properties().get("size").asText()).isEqualTo("user-size");
            assertThat(anon).isNotEqualTo(user);
        }

        @Test
        void patchPropertiesAppendUnappendUnset() {
            JsonNodeFactory f = JsonNodeFactory.instance;
            String p = write(ids("u1", null, null, null), attrs("p:tags", "a", "p:gone", "x"), WriteMode.NORMAL).profileId();
            write(ids("u1", null, null, null), ProfileWrite.builder().patch(new PatchProperties(
                    Map.of("tags", f.textNode("b"), "fresh", f.textNode("z")), Map.of(), List.of("gone"))).build(), WriteMode.NORMAL);
            Profile mid = profile(p);
            assertThat(mid.properties().get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
            assertThat(mid.properties().get("fresh").toString()).isEqualTo("[\"z\"]");
            assertThat(mid.properties().has("gone")).isFalse();
            write(ids("u1", null, null, null), ProfileWrite.builder().patch(new PatchProperties(
                    Map.of(), Map.of("tags", f.textNode("a")), List.of())).build(), WriteMode.NORMAL);
            assertThat(profile(p).properties().get("tags").toString()).isEqualTo("[\"b\"]");
        }
    }

    @Nested
    class MergeHistoryAndDeletion {
        @Test
        void mergeWritesAHistoryRowWithTheLosersSnapshot() {
            String anon = write(ids(null, "e@x.io", null, "a1"), attrs("first_name", "Ann"), WriteMode.NORMAL).profileId();
            String user = write(ids("u1", null, null, null)).profileId();
            write(ids("u1", null, null, "a1"));
            ProfileDao.HistoryRow merge = identity.history(company, user).stream()
                    .filter(r -> r.operation().equals("merge")).findFirst().orElseThrow();
            assertThat(merge.survivorId()).isEqualTo(user);
            assertThat(merge.loserId()).isEqualTo(anon);
            assertThat(merge.credential()).isEqualTo("secret:sk_test0");
            assertThat(merge.snapshot().replace(" ", "")).contains("\"first_name\":\"Ann\"").contains("e@x.io");
            assertThat(merge.rule()).isNotBlank();
        }

        @Test
        void explicitMergeJoinsAnyTwoProfilesEvenWithDifferentExternalIds() {
            String a = write(ids("u1", "a@x.io", null, null)).profileId();
            String b = write(ids("u2", "b@x.io", null, "a9")).profileId();
            identity.tx().run(h -> identity.mergeExplicit(h, company, a, b, CTX));
            Profile p = profile(a);
            assertThat(p.externalId()).isEqualTo("u1");
            assertThat(p.email()).isEqualTo("a@x.io");
            assertThat(p.anonymousIds()).containsExactly("a9");
            assertThat(ownerOf("external_id", "u2")).isNull();
            assertThat(ownerOf("email", "b@x.io")).isNull();
            assertConsistent();
        }

        @Test
        void tombstonesChainToTheFinalSurvivor() {
            String a = write(ids(null, null, null, "a1")).profileId();
            String b = write(ids(null, null, null, "a2")).profileId();
            String c = write(ids("u1", null, null, null)).profileId();
            write(ids(null, null, null, "a1"));
            identity.tx().run(h -> identity.mergeExplicit(h, company, b, a, CTX));
            identity.tx().run(h -> identity.mergeExplicit(h, company, c, b, CTX));
            assertThatThrownBy(() -> profile(a)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.meta()).containsEntry("merged_into", c));
            List<String> all = jdbi.withHandle(h -> identity.idsOf(h, company, c));
            assertThat(all).containsExactlyInAnyOrder(a, b, c);
        }

        @Test
        void deletionRemovesProfileTombstonesIdentifiersAndHistory() {
            String a = write(ids(null, null, null, "a1")).profileId();
            String u = write(ids("u1", "e@x.io", null, null)).profileId();
            write(ids("u1", null, null, "a1"));
            List<String> deleted = new ArrayList<>();
            identity.addListener(new ProfileLifecycleListener() {
                @Override
                public void onDelete(org.jdbi.v3.core.Handle h, long companyId, List<String> ids) {
                    if (companyId == company) deleted.addAll(ids);
                }
            });
            boolean removed = identity.tx().run(h -> identity.delete(h, company, u, CTX));
            assertThat(removed).isTrue();
            assertThat(deleted).containsExactlyInAnyOrder(u, a);
            assertThat(identity.find(company, u)).isEmpty();
            assertThat(identity.find(company, a)).isEmpty();
            assertThat(ownerOf("email", "e@x.io")).isNull();
            assertThat(ownerOf("anonymous_id", "a1")).isNull();
            long historyLeft = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM identity_history WHERE company_id = :c AND operation <> 'delete'")
                    .bind("c", company).mapTo(Long.class).one());
            assertThat(historyLeft).isZero();
        }
    }

    @Nested
    class Tenancy {
        @Test
        void theSameIdentifierInTwoCompaniesIsTwoPeople() {
            String a = write(ids("u1", "e@x.io", null, null)).profileId();
            long other = newCompanyId();
            ResolvedProfile b = identity.identify(other, ids("u1", "e@x.io", null, null), ProfileWrite.NONE, WriteMode.NORMAL, CTX);
            assertThat(b.profileId()).isNotEqualTo(a);
            assertThat(b.created()).isTrue();
            assertThatThrownBy(() -> identity.get(other, a)).isInstanceOf(ApiException.class);
            assertThatThrownBy(() -> identity.tx().run(h -> identity.mergeExplicit(h, other, b.profileId(), a, CTX)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        }
    }

    @Nested
    class Concurrency {
        @Test
        void thirtyTwoIdenticalNewIdentifiesEndInOneProfile() throws Exception {
            int n = 32;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return write(ids("same-user", "same@x.io", "+14155552671", "same-anon")).profileId();
                }));
            }
            go.countDown();
            Set<String> results = new java.util.HashSet<>();
            for (Future<String> f : fs) results.add(f.get());
            pool.shutdown();
            assertThat(results).hasSize(1);
            assertThat(liveProfiles()).isEqualTo(1);
            long rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM profiles WHERE company_id = :c")
                    .bind("c", company).mapTo(Long.class).one());
            assertThat(rows).isEqualTo(1);
            assertConsistent();
        }

        @Test
        void overlappingMergesNeverLeaveAnIdentifierWithTwoOwners() throws Exception {
            // 40 anonymous profiles, then 32 threads each linking random pairs to one of 4 users
            for (int i = 0; i < 40; i++) write(ids(null, null, null, "anon-" + i));
            int n = 32;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                final int seed = t;
                fs.add(pool.submit(() -> {
                    go.await();
                    java.util.Random r = new java.util.Random(seed);
                    for (int k = 0; k < 10; k++) {
                        String user = "user-" + r.nextInt(4);
                        write(ids(user, null, null, "anon-" + r.nextInt(40)));
                        write(ids(null, "shared" + r.nextInt(6) + "@x.io", null, "anon-" + r.nextInt(40)));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertConsistent();
            // each of the four users is one live profile, and no anonymous id sits on a tombstone
            for (int u = 0; u < 4; u++) {
                String owner = ownerOf("external_id", "user-" + u);
                if (owner != null) assertThat(profile(owner).externalId()).isEqualTo("user-" + u);
            }
        }

        @Test
        void twoServerInstancesOnOneDatabaseStillMakeOneProfile() throws Exception {
            // a second, independent pool and service: as a second server process would have
            Jdbi other = SwitchboardApplication.newJdbi(Jdbi.create(url, "postgres", ""), new com.fasterxml.jackson.databind.ObjectMapper());
            IdentityService second = new IdentityService(new Tx(other), id -> settings);
            int n = 32;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                IdentityService svc = i % 2 == 0 ? identity : second;
                fs.add(pool.submit(() -> {
                    go.await();
                    return svc.identify(company, ids("twin", null, null, "twin-anon"), ProfileWrite.NONE, WriteMode.NORMAL, CTX).profileId();
                }));
            }
            go.countDown();
            Set<String> results = new java.util.HashSet<>();
            for (Future<String> f : fs) results.add(f.get());
            pool.shutdown();
            assertThat(results).hasSize(1);
            assertThat(liveProfiles()).isEqualTo(1);
        }
    }
}
