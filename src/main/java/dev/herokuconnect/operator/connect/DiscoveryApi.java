package dev.herokuconnect.operator.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herokuconnect.operator.connect.ConnectHttp.Call;
import dev.herokuconnect.operator.connect.Model.AddonRef;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;

/**
 * Discovery on hc-central: link the token's user to an app's add-ons, then search them.
 * Before the connection id is known, calls are paid from the app's budget ("app:NAME").
 */
public final class DiscoveryApi {
  private final ConnectHttp http;
  private final HttpUrl base;
  private final RequestGate.Priority priority;

  public DiscoveryApi(ConnectHttp http, String discoveryUrl, RequestGate.Priority priority) {
    this.http = http;
    // Set by whoever runs the process (and checked when the operator starts); checked again as any URL is.
    this.base = http.hosts().require(discoveryUrl, HostAllowlist.Source.setting("discovery URL"));
    this.priority = priority;
  }

  public static String budgetKey(String app) {
    return "app:" + app;
  }

  /** POST /auth/{app}: adds the token's user to the access list; returns the add-ons seen. */
  public List<AddonRef> linkUser(String app) {
    HttpUrl url = base.newBuilder().addPathSegment("auth").addPathSegment(app).build();
    return addons(http.send(new Call("POST", url, null, "POST /auth/{app}", budgetKey(app), priority)));
  }

  /** GET /connections?app=…[&resource_name=…]: the add-ons of the app this user may use. */
  public List<AddonRef> search(String app, String resourceName) {
    HttpUrl.Builder url = base.newBuilder().addPathSegment("connections").addQueryParameter("app", app);
    if (resourceName != null && !resourceName.isBlank()) url.addQueryParameter("resource_name", resourceName);
    return addons(http.send(new Call("GET", url.build(), null, "GET /connections?app", budgetKey(app), priority)));
  }

  /** Accepts both a bare array and a {@code {"results": [...]}} page. */
  private static List<AddonRef> addons(JsonNode body) {
    List<AddonRef> out = new ArrayList<>();
    if (body == null) return out;
    JsonNode list = body.isArray() ? body : body.path("results");
    for (JsonNode item : list) out.add(ConnectHttp.MAPPER.convertValue(item, AddonRef.class));
    return out;
  }
}
