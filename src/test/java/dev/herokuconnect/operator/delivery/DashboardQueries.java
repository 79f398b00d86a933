package dev.herokuconnect.operator.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The PromQL of every panel of a Grafana dashboard, with the dashboard's variables set to "All". */
final class DashboardQueries {
  record Query(String panel, String expr) {}

  static List<Query> of(JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    collect(dashboard.path("panels"), out);
    return out;
  }

  private static void collect(JsonNode panels, List<Query> out) {
    for (JsonNode p : panels) {
      collect(p.path("panels"), out);
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText();
        if (!expr.isBlank()) out.add(new Query(p.path("title").asText(), resolve(expr)));
      }
    }
  }

  /** What Grafana sends with every variable on "All" (allValue .*) and a 1-minute rate interval. */
  static String resolve(String expr) {
    return expr.replace("$namespace", ".*").replace("$connection", ".*").replace("$__rate_interval", "1m");
  }

  private DashboardQueries() {}
}
