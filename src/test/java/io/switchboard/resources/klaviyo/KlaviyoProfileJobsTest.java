package io.switchboard.resources.klaviyo;

import static io.switchboard.resources.klaviyo.KlaviyoTestClient.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.AppFixture.Res;
import org.junit.jupiter.api.Test;

/** profile-import, profile-merge, data-privacy-deletion-jobs; tombstones; cross-tenant isolation. */
class KlaviyoProfileJobsTest extends KlaviyoTestBase {

    static Res importProfile(String data) {
        return K.send("POST", "/api/profile-import", "{\"data\":" + data + "}", server(A.secretKey()));
    }

    static String mergeBody(String destination, String source) {
        return "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + destination + "\",\"relationships\":{\"profiles\":"
                + "{\"data\":[{\"type\":\"profile\",\"id\":\"" + source + "\"}]}}}}";
    }

    static String deletionBody(String profileData) {
        return "{\"data\":{\"type\":\"data-privacy-deletion-job\",\"attributes\":{\"profile\":{\"data\":" + profileData
                + "}}}}";
    }

    @Test
    void importCreates201ThenUpdates200() {
        String email = uniq("imp") + "@example.com";
        Res created = importProfile("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"first_name\":\"I\"}}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().at("/data/id").asText();
        Res updated = importProfile("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email
                + "\",\"phone_number\":\"+14155550199\",\"last_name\":\"Port\"}}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().at("/data/id").asText()).isEqualTo(id);
        assertThat(updated.json().at("/data/attributes/phone_number").asText()).isEqualTo("+14155550199");
        assertThat(updated.json().at("/data/attributes/first_name").asText()).isEqualTo("I");
        Res byId = importProfile("{\"type\":\"profile\",\"id\":\"" + id + "\",\"attributes\":{\"title\":\"CTO\"}}");
        assertThat(byId.status()).isEqualTo(200);
        assertThat(byId.json().at("/data/attributes/title").asText()).isEqualTo("CTO");
    }

    @Test
    void importSpanningTwoProfilesIs409WithNothingWritten() {
        String email = uniq("e") + "@example.com";
        String ext = uniq("x-");
        String p1 = createProfile(A, "{\"email\":\"" + email + "\"}");
        String p2 = createProfile(A, "{\"external_id\":\"" + ext + "\"}");
        long before = profiles(A);
        Res r = importProfile("{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\",\"external_id\":\""
                + ext + "\",\"first_name\":\"Nope\"}}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().at("/errors/0/code").asText()).isEqualTo("duplicate_profile");
        assertThat(r.json().at("/errors/0/meta/duplicate_profile_id").asText()).isIn(p1, p2);
        assertThat(profiles(A)).isEqualTo(before);
        assertThat(K.send("GET", "/api/profiles/" + p1, null, server(A.secretKey())).json()
                .at("/data/attributes/first_name").isNull()).isTrue();
    }

    @Test
    void mergeKeepsTheDestinationAndTheSourceBecomesA404NamingTheSurvivor() {
        String dest = createProfile(A, "{\"email\":\"" + uniq("d") + "@example.com\",\"properties\":{\"a\":1}}");
        String srcEmail = uniq("s") + "@example.com";
        String src = createProfile(A, "{\"email\":\"" + srcEmail + "\",\"phone_number\":\"+14155550142\",\"properties\":{\"b\":2}}");
        Res r = K.send("POST", "/api/profile-merge", mergeBody(dest, src), server(A.secretKey()));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().at("/data/type").asText()).isEqualTo("profile");
        assertThat(r.json().at("/data/id").asText()).isEqualTo(dest);
        assertThat(r.json().at("/data/links/self").asText()).isEqualTo(F.baseUrl() + "/api/profiles/" + dest + "/");
        Res survivor = K.send("GET", "/api/profiles/" + dest, null, server(A.secretKey()));
        assertThat(survivor.json().at("/data/attributes/phone_number").asText()).isEqualTo("+14155550142");
        assertThat(survivor.json().at("/data/attributes/properties/b").asInt()).isEqualTo(2);
        Res gone = K.send("GET", "/api/profiles/" + src, null, server(A.secretKey()));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().at("/errors/0/code").asText()).isEqualTo("not_found");
        assertThat(gone.json().at("/errors/0/meta/merged_into").asText()).isEqualTo(dest);
        // the tombstone cannot be patched or merged again
        assertThat(K.send("PATCH", "/api/profiles/" + src, "{\"data\":{\"type\":\"profile\",\"id\":\"" + src
                + "\",\"attributes\":{}}}", server(A.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("POST", "/api/profile-merge", mergeBody(dest, src), server(A.secretKey())).status())
                .isEqualTo(404);
    }

    @Test
    void mergeNeedsExactlyOneSourceAndAValidDocument() {
        String a = createProfile(A, "{\"email\":\"" + uniq("m") + "@example.com\"}");
        String b = createProfile(A, "{\"email\":\"" + uniq("m") + "@example.com\"}");
        String c = createProfile(A, "{\"email\":\"" + uniq("m") + "@example.com\"}");
        long before = profiles(A);
        String two = "{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + a + "\",\"relationships\":{\"profiles\":{\"data\":"
                + "[{\"type\":\"profile\",\"id\":\"" + b + "\"},{\"type\":\"profile\",\"id\":\"" + c + "\"}]}}}}";
        String[][] cases = {
                {two, "400", "/data/relationships/profiles/data"},
                {"{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + a + "\",\"relationships\":{\"profiles\":{\"data\":[]}}}}",
                        "400", "/data/relationships/profiles/data"},
                {"{\"data\":{\"type\":\"profile-merge\",\"relationships\":{\"profiles\":{\"data\":[{\"type\":\"profile\","
                        + "\"id\":\"" + b + "\"}]}}}}", "400", "/data/id"},
                {"{\"data\":{\"type\":\"profile-merge\",\"id\":\"" + a + "\"}}", "400", "/data/relationships"},
                {mergeBody(a, a), "400", "/data/relationships/profiles/data/0/id"},
                {"{\"data\":{\"type\":\"profile\",\"id\":\"" + a + "\",\"attributes\":{}}}", "409", "/data/type"},
        };
        for (String[] t : cases) {
            Res r = K.sendInvalid("POST", "/api/profile-merge", t[0], server(A.secretKey()));
            assertThat(r.status()).as(t[0]).isEqualTo(Integer.parseInt(t[1]));
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(t[0]).isEqualTo(t[2]);
        }
        assertThat(profiles(A)).isEqualTo(before);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE merged_into IS NOT NULL AND id IN (?, ?, ?)", a, b, c))
                .isZero();
    }

    @Test
    void deletionRemovesTheProfileAndFreesItsIdentifiers() {
        String email = uniq("gdpr") + "@example.com";
        String id = createProfile(A, "{\"email\":\"" + email + "\",\"external_id\":\"" + uniq("g-") + "\"}");
        String merged = createProfile(A, "{\"phone_number\":\"+14155550177\"}");
        assertThat(K.send("POST", "/api/profile-merge", mergeBody(id, merged), server(A.secretKey())).status())
                .isEqualTo(201);
        Res r = K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"attributes\":"
                + "{\"email\":\"" + email.toUpperCase() + "\"}}"), server(A.secretKey()));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.body()).isEmpty();
        assertThat(K.send("GET", "/api/profiles/" + id, null, server(A.secretKey())).status()).isEqualTo(404);
        assertThat(F.count("SELECT count(*) FROM profiles WHERE id IN (?, ?)", id, merged)).isZero();
        assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE profile_id IN (?, ?)", id, merged)).isZero();
        // the identifiers are free again
        String again = createProfile(A, "{\"email\":\"" + email + "\",\"phone_number\":\"+14155550177\"}");
        assertThat(again).isNotEqualTo(id);
        // by id and by phone
        String byId = createProfile(A, "{\"email\":\"" + uniq("id") + "@example.com\"}");
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"id\":\""
                + byId + "\",\"attributes\":{}}"), server(A.secretKey())).status()).isEqualTo(202);
        assertThat(K.send("GET", "/api/profiles/" + byId, null, server(A.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"attributes\":"
                + "{\"phone_number\":\"+14155550177\"}}"), server(A.secretKey())).status()).isEqualTo(202);
        assertThat(K.send("GET", "/api/profiles/" + again, null, server(A.secretKey())).status()).isEqualTo(404);
        // nobody matches: still 202
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"attributes\":"
                + "{\"email\":\"nobody@example.com\"}}"), server(A.secretKey())).status()).isEqualTo(202);
    }

    @Test
    void deletionNeedsExactlyOneIdentifier() {
        String email = uniq("keep") + "@example.com";
        String id = createProfile(A, "{\"email\":\"" + email + "\"}");
        String[][] cases = {
                {deletionBody("{\"type\":\"profile\",\"id\":\"" + id + "\",\"attributes\":{\"email\":\"" + email + "\"}}"),
                        "/data/attributes/profile/data"},
                {deletionBody("{\"type\":\"profile\",\"attributes\":{}}"), "/data/attributes/profile/data"},
                {"{\"data\":{\"type\":\"data-privacy-deletion-job\",\"attributes\":{}}}", "/data/attributes/profile"},
                {deletionBody("{\"type\":\"profile\",\"attributes\":{\"email\":42}}"),
                        "/data/attributes/profile/data/attributes/email"},
        };
        for (String[] c : cases) {
            Res r = K.sendInvalid("POST", "/api/data-privacy-deletion-jobs", c[0], server(A.secretKey()));
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.json().at("/errors/0/source/pointer").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(K.send("GET", "/api/profiles/" + id, null, server(A.secretKey())).status()).isEqualTo(200);
    }

    @Test
    void anotherCompanysKeyCannotReadPatchMergeOrDeleteAndLearnsNothing() {
        String email = uniq("mine") + "@example.com";
        String mine = createProfile(A, "{\"email\":\"" + email + "\",\"first_name\":\"Mine\"}");
        String mine2 = createProfile(A, "{\"email\":\"" + uniq("mine2") + "@example.com\"}");
        String theirs = createProfile(B, "{\"email\":\"" + uniq("theirs") + "@example.com\"}");
        String unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        Res read = K.send("GET", "/api/profiles/" + mine, null, server(B.secretKey()));
        Res readUnknown = K.send("GET", "/api/profiles/" + unknown, null, server(B.secretKey()));
        assertThat(read.status()).isEqualTo(404);
        assertThat(readUnknown.status()).isEqualTo(404);
        assertThat(read.json().at("/errors/0/detail").asText().replace(mine, "ID"))
                .isEqualTo(readUnknown.json().at("/errors/0/detail").asText().replace(unknown, "ID"));
        assertThat(K.send("PATCH", "/api/profiles/" + mine, "{\"data\":{\"type\":\"profile\",\"id\":\"" + mine
                + "\",\"attributes\":{\"first_name\":\"Hacked\"}}}", server(B.secretKey())).status()).isEqualTo(404);
        assertThat(K.send("POST", "/api/profile-merge", mergeBody(theirs, mine), server(B.secretKey())).status())
                .isEqualTo(404);
        assertThat(K.send("POST", "/api/profile-merge", mergeBody(mine, mine2), server(B.secretKey())).status())
                .isEqualTo(404);
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"id\":\""
                + mine + "\",\"attributes\":{}}"), server(B.secretKey())).status()).isEqualTo(202);
        assertThat(K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody("{\"type\":\"profile\",\"attributes\":"
                + "{\"email\":\"" + email + "\"}}"), server(B.secretKey())).status()).isEqualTo(202);
        // the same email in B is a different person: creating it there is fine
        createProfile(B, "{\"email\":\"" + email + "\"}");
        Res still = K.send("GET", "/api/profiles/" + mine, null, server(A.secretKey()));
        assertThat(still.status()).isEqualTo(200);
        assertThat(still.json().at("/data/attributes/first_name").asText()).isEqualTo("Mine");
        assertThat(K.send("GET", "/api/profiles/" + mine2, null, server(A.secretKey())).status()).isEqualTo(200);
    }

    /**
     * The GDPR race: a merge commits after the deletion found its target and before it deleted it. The
     * deletion must reach the person (the survivor now owns the email), not answer 202 having deleted
     * nothing. Deterministic: the merge is sent from a hook between resolving the target and locking it.
     */
    @Test
    void aMergeLandingBetweenLookupAndDeleteStillDeletesThePerson() {
        for (String by : new String[] {"email", "id"}) {
            String email = uniq("race") + "@example.com";
            String loser = createProfile(A, "{\"email\":\"" + email + "\"}");
            String survivor = createProfile(A, "{\"external_id\":\"" + uniq("race-") + "\"}");
            java.util.concurrent.atomic.AtomicInteger merges = new java.util.concurrent.atomic.AtomicInteger();
            io.switchboard.core.identity.IdentityService.Hooks.beforeDeletionLock(target -> {
                if (target.equals(loser) && merges.getAndIncrement() == 0) {
                    assertThat(K.send("POST", "/api/profile-merge", mergeBody(survivor, loser), server(A.secretKey()))
                            .status()).as("the concurrent merge").isEqualTo(201);
                }
            });
            Res r;
            try {
                r = K.send("POST", "/api/data-privacy-deletion-jobs", deletionBody(by.equals("id")
                        ? "{\"type\":\"profile\",\"id\":\"" + loser + "\",\"attributes\":{}}"
                        : "{\"type\":\"profile\",\"attributes\":{\"email\":\"" + email + "\"}}"), server(A.secretKey()));
            } finally {
                io.switchboard.core.identity.IdentityService.Hooks.beforeDeletionLock(null);
            }
            assertThat(merges.get()).as("the merge landed in the race window (by " + by + ")").isEqualTo(1);
            assertThat(r.status()).isEqualTo(202);
            assertThat(F.count("SELECT count(*) FROM profiles WHERE id IN (?, ?)", loser, survivor))
                    .as("by " + by + ": the person (survivor and tombstone) is deleted").isZero();
            assertThat(F.count("SELECT count(*) FROM profile_identifiers WHERE value = ?", email)).isZero();
        }
    }
}
