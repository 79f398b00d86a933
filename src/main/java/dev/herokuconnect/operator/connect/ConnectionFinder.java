package dev.herokuconnect.operator.connect;

import dev.herokuconnect.operator.connect.Model.AddonRef;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds an app's Heroku Connect add-on the way the reference describes: link the token's user
 * to the app, then search; with a pinned region URL, the older per-region link and list.
 * Used by the operator and by the export command.
 */
public final class ConnectionFinder {
  /** What the caller knows: the app, and optionally a resource name, an id and a region root. */
  public record Query(String app, String resourceName, String connectionId, String apiUrl) {
    String resourceNameOrNull() { return blankToNull(resourceName); }
    String connectionIdOrNull() { return blankToNull(connectionId); }
    String apiUrlOrNull() { return blankToNull(apiUrl); }
  }

  /** The add-on found and the API root to reach it. */
  public record Found(String connectionId, String resourceName, String apiRoot) {}

  /** None or several add-ons match: only a person can say which (the message says how). */
  public static final class NotFound extends RuntimeException {
    private final boolean ambiguous;

    private final boolean notLinked;

    NotFound(String message, boolean ambiguous) {
      this(message, ambiguous, false);
    }

    NotFound(String message, boolean ambiguous, boolean notLinked) {
      super(message);
      this.ambiguous = ambiguous;
      this.notLinked = notLinked;
    }

    /** No add-on is visible to the token and the caller did not allow linking the user (a write). */
    public boolean notLinked() { return notLinked; }

    public boolean ambiguous() { return ambiguous; }
  }

  private final ConnectHttp http;
  private final String discoveryUrl;
  private final RequestGate.Priority priority;

  public ConnectionFinder(ConnectHttp http, String discoveryUrl, RequestGate.Priority priority) {
    this.http = http;
    this.discoveryUrl = discoveryUrl;
    this.priority = priority;
  }

  /** As {@link #find(Query, boolean)}, linking the user when needed. */
  public Found find(Query q) {
    return find(q, true);
  }

  /**
   * Pinned id and URL are taken as they are (no request); otherwise discovery runs: search
   * first, and link the token's user to the app (a write) only when the add-on is not visible
   * yet and {@code mayLink}.
   */
  public Found find(Query q, boolean mayLink) {
    String pinnedId = q.connectionIdOrNull();
    String pinnedUrl = q.apiUrlOrNull();
    // Checked before anything is sent, even when nothing would be sent here: the caller sends to it next.
    String pinnedRoot = pinnedUrl == null ? null : allowedRoot(pinnedUrl, HostAllowlist.Source.field("spec.apiUrl"));
    if (pinnedId != null && pinnedRoot != null) return new Found(pinnedId, q.resourceNameOrNull(), pinnedRoot);
    List<AddonRef> found = pinnedRoot != null ? listInRegion(q.app(), pinnedRoot, mayLink) : discover(q, mayLink);
    List<AddonRef> candidates = found.stream()
        .filter(a -> pinnedId == null || pinnedId.equals(a.id()))
        .filter(a -> q.resourceNameOrNull() == null || q.resourceNameOrNull().equals(a.resourceName()))
        .toList();
    if (candidates.size() == 1) {
      AddonRef a = candidates.get(0);
      return new Found(a.id(), a.resourceName(), pinnedRoot != null ? pinnedRoot
          : allowedRoot(a.regionUrl(), HostAllowlist.Source.answer("region_url of add-on " + a.resourceName() + " (from discovery)")));
    }
    String listed = found.stream().map(a -> a.resourceName() + " (" + a.id() + ")").collect(Collectors.joining(", "));
    if (candidates.isEmpty()) {
      throw new NotFound("app '" + q.app() + "' has no Heroku Connect add-on"
          + (q.resourceNameOrNull() != null ? " named '" + q.resourceNameOrNull() + "'" : "")
          + (pinnedId != null ? " with id " + pinnedId : "")
          + " that this token can use" + (found.isEmpty() ? "" : "; found: " + listed), false);
    }
    throw new NotFound("app '" + q.app() + "' has " + candidates.size() + " Heroku Connect add-ons: " + listed
        + "; name one of them (resourceName)", true);
  }

  /** The API root of {@code url} if the token may go there; the root keeps the URL's spelling (status compares it). */
  private String allowedRoot(String url, HostAllowlist.Source source) {
    http.hosts().require(url, source);
    return ApiUrls.apiRootOf(url);
  }

  private List<AddonRef> discover(Query q, boolean mayLink) {
    String app = q.app();
    DiscoveryApi discovery = new DiscoveryApi(http, discoveryUrl, priority);
    List<AddonRef> visible = discovery.search(app, null);
    // an add-on asked for by id (spec.addon's, just created) and not visible yet: the user is not linked to it yet
    boolean wantedVisible = q.connectionIdOrNull() == null || visible.stream().anyMatch(a -> q.connectionIdOrNull().equals(a.id()));
    if ((!visible.isEmpty() && wantedVisible) || !mayLink) {
      if (visible.isEmpty()) {
        throw new NotFound("app '" + app + "' has no Heroku Connect add-on visible to this token, and observe-only does not "
            + "link the token's user to the app (a write): link it once (heroku connect:info -a " + app + ") or switch to manage", false, true);
      }
      return visible;
    }
    try {
      return discovery.linkUser(app); // answers with the add-ons now visible
    } catch (ConnectApiException.NotFound e) {
      throw new NotFound("no Heroku Connect add-on found for app '" + app + "': check the app name and that the "
          + "add-on exists (heroku addons -a " + app + ")", false);
    }
  }

  private List<AddonRef> listInRegion(String app, String root, boolean mayLink) {
    ConnectApi region = new ConnectApi(http, root, DiscoveryApi.budgetKey(app), priority);
    List<AddonRef> listed = list(region, app, root);
    if (!listed.isEmpty() || !mayLink) return listed;
    region.linkUserLegacy(app);
    return list(region, app, root);
  }

  private static List<AddonRef> list(ConnectApi region, String app, String root) {
    return region.listConnections(app).stream()
        .map(x -> new AddonRef(x.id(), x.resourceName(), x.appName(), x.appId(), x.region(), root, x.detailUrl()))
        .toList();
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
