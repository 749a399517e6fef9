package io.switchboard.portal;

import io.switchboard.core.events.Activity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shapes core read models (core/events/Activity) into what the overview's template and chart need. */
public class PortalData {
    private final Activity activity;

    public PortalData(Activity activity) {
        this.activity = activity;
    }

    public Activity activity() {
        return activity;
    }

    public Map<String, Object> overview(long companyId) {
        List<Activity.Day> days = activity.daily(companyId, 30);
        long maxE = Math.max(1, days.stream().mapToLong(Activity.Day::events).max().orElse(1));
        long maxP = Math.max(1, days.stream().mapToLong(Activity.Day::newProfiles).max().orElse(1));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("days", days);
        m.put("totalEvents", days.stream().mapToLong(Activity.Day::events).sum());
        m.put("totalProfiles", days.stream().mapToLong(Activity.Day::newProfiles).sum());
        m.put("eventsPath", bars(days, maxE, true));
        m.put("profilesPath", bars(days, maxP, false));
        m.put("maxEvents", maxE);
        m.put("maxProfiles", maxP);
        return m;
    }

    /** SVG bar geometry (a 300×60 viewBox, 10 units per day), rendered server-side: no chart script. */
    static List<Map<String, Object>> bars(List<Activity.Day> days, long max, boolean events) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (int i = 0; i < days.size(); i++) {
            long v = events ? days.get(i).events() : days.get(i).newProfiles();
            double h = v == 0 ? 0 : Math.max(1, 58.0 * v / max);
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("x", i * 10 + 1);
            b.put("y", String.format(java.util.Locale.ROOT, "%.1f", 60 - h));
            b.put("h", String.format(java.util.Locale.ROOT, "%.1f", h));
            b.put("label", days.get(i).day() + ": " + v);
            out.add(b);
        }
        return out;
    }
}
