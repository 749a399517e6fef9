package io.switchboard.resources.klaviyo.events;

import static io.switchboard.testing.IngestionTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.resources.klaviyo.KlaviyoTestBase;
import io.switchboard.testing.AppFixture.Res;
import io.switchboard.testing.AppFixture.TestCompany;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Klaviyo's client API as the mobile SDKs speak it (issue 12): {@code "vendor":"APNs"} (iOS,
 * Sources/KlaviyoCore/Models/APIModels/PushTokenPayload.swift), {@code "vendor":"FCM"} with
 * {@code "platform":"Android"} (Android, sdk/analytics/.../requests/PushTokenApiRequest.kt and
 * UnregisterPushTokenApiRequest.kt), event {@code time} as {@code yyyy-MM-dd'T'HH:mm:ssZ} i.e.
 * {@code +0000} (Android, sdk/core/.../config/SystemClock.kt), and the {@code X-Klaviyo-Mobile} /
 * {@code X-Klaviyo-Attempt-Count} headers (Android, KlaviyoApiRequest.kt). compat/test/klaviyo-mobile
 * replays the same requests end to end.
 */
class KlaviyoMobileSdkTest extends KlaviyoTestBase {

    static Map<String, String> mobile() {
        return Map.of("Content-Type", "application/json", "Accept", "application/json", "Revision", "2024-10-15",
                "X-Klaviyo-Mobile", "1", "X-Klaviyo-Attempt-Count", "1/50", "User-Agent", "MyApp/1.0 (com.example; build:1; Android 14) klaviyo-android/4.0.0");
    }

    static String pushToken(String token, String platform, String vendor, String externalId) {
        return """
                {"data":{"type":"push-token","attributes":{"token":"%s","platform":"%s","vendor":"%s",
                 "enablement_status":"AUTHORIZED","background":"AVAILABLE",
                 "device_metadata":{"device_id":"dev-%s","klaviyo_sdk":"android","sdk_version":"4.0.0","device_model":"Pixel 8",
                   "os_name":"Android","os_version":"14","manufacturer":"Google","app_name":"Shop","app_version":"1.0",
                   "app_build":"1","app_id":"com.example.shop","environment":"debug"},
                 "profile":{"data":{"type":"profile","attributes":{"external_id":"%s","anonymous_id":"anon-%s","properties":{}},
                   "meta":{"identifiers":{"external_id":"%s"}}}}}}}""".formatted(token, platform, vendor, token, externalId, token, externalId);
    }

    @Test
    void pushTokensWithTheSdksSpellingsRegisterAndUnregister() {
        TestCompany c = F.createCompany("Mobile");
        String q = "?company_id=" + c.publicId();
        Res ios = F.post("/client/push-tokens/" + q, pushToken("apns-tok-1", "ios", "APNs", "mob-ios"), mobile());
        assertThat(ios.status()).as(ios.toString()).isEqualTo(202);
        Res android = F.post("/client/push-tokens" + q, pushToken("fcm-tok-1", "Android", "FCM", "mob-and"), mobile());
        assertThat(android.status()).as(android.toString()).isEqualTo(202);
        long co = F.companyId(c.publicId());
        assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'apns-tok-1' AND vendor = 'apns' AND platform = 'ios'", co)).isEqualTo(1);
        assertThat(F.count("SELECT count(*) FROM devices WHERE company_id = ? AND token = 'fcm-tok-1' AND vendor = 'fcm' AND platform = 'android'", co)).isEqualTo(1);
        assertThat(owner(F, c, "external_id", "mob-and")).isNotNull();

        Res unregister = F.post("/client/push-token-unregister" + q, """
                {"data":{"type":"push-token-unregister","attributes":{"profile":{"data":{"type":"profile",
                  "attributes":{"external_id":"mob-and","properties":{}}}},"token":"fcm-tok-1","platform":"Android","vendor":"FCM"}}}""", mobile());
        assertThat(unregister.status()).as(unregister.toString()).isEqualTo(202);
        // still a clear 400 for a value that is not a vendor at all
        Res bad = F.post("/client/push-tokens" + q, pushToken("x-tok", "ios", "Pigeon", "mob-x"), mobile());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("vendor");
    }

    @Test
    void androidEventTimesWithAPlusZeroZeroOffsetAndIosFractionsLand() {
        TestCompany c = F.createCompany("Mobile events");
        String q = "?company_id=" + c.publicId();
        for (String[] t : new String[][] {{"2025-11-30T03:55:31+0000", "Android"}, {"2025-11-30T03:55:32.123Z", "iOS"},
                {"2025-11-30T03:55:33+00:00", "Colon"}}) {
            Res r = F.post("/client/events" + q, """
                    {"data":{"type":"event","attributes":{"profile":{"data":{"type":"profile","attributes":{"external_id":"mob-ev","properties":{}}}},
                      "metric":{"data":{"type":"metric","attributes":{"name":"Opened App %s"}}},"unique_id":"u-%s",
                      "time":"%s","properties":{"Device ID":"dev-1","OS Name":"%s"}}}}""".formatted(t[1], t[1], t[0], t[1]), mobile());
            assertThat(r.status()).as(t[0] + " " + r).isEqualTo(202);
        }
        JsonNode evs = adminEvents(F, c, owner(F, c, "external_id", "mob-ev"));
        assertThat(evs.findValuesAsText("occurred_at")).contains("2025-11-30T03:55:31Z", "2025-11-30T03:55:32Z", "2025-11-30T03:55:33Z");
    }

    @Test
    void corsPreflightAllowsTheMobileHeaders() {
        TestCompany c = F.createCompany("Mobile CORS");
        Res pre = F.request("OPTIONS", "/client/events?company_id=" + c.publicId(), null, Map.of("Origin", "https://app.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-klaviyo-mobile,x-klaviyo-attempt-count,revision,content-type"));
        assertThat(pre.status()).isEqualTo(204);
        assertThat(pre.header("Access-Control-Allow-Headers")).contains("X-Klaviyo-Mobile", "X-Klaviyo-Attempt-Count");
    }
}
