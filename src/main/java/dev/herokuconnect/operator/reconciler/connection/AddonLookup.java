package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.AddonStatus;
import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.crd.HerokuConnectionStatus;
import dev.herokuconnect.operator.platform.Addon;
import dev.herokuconnect.operator.platform.PlatformApi;
import dev.herokuconnect.operator.reconciler.connection.AddonDecisions.Found;
import dev.herokuconnect.operator.reconciler.loop.Management;
import java.util.List;
import java.util.Optional;

/**
 * Finds the add-on of a HerokuConnection with spec.addon through the Platform API, reads only:
 * by the id status recorded (status.addon.id, or status.connectionId of a connection bound before
 * spec.addon was set), by the name of its create intent, or as the app's only Heroku Connect
 * add-on (named spec.resourceName, when set). The operator ({@link AddonExternal}) and {@code plan}
 * both look it up here, so they cannot disagree.
 */
public final class AddonLookup {
  private AddonLookup() {}

  /** What was found: the add-on (or null), how, the matching add-ons when several, the id status recorded. */
  public record Lookup(Addon addon, Found found, List<String> candidates, String recordedId) {}

  public static Lookup find(PlatformApi api, HerokuConnection c, HerokuConnectionStatus status) {
    String app = app(c, status);
    AddonStatus rec = status.getAddon();
    String known = recordedId(status);
    if (known != null) {
      Optional<Addon> a = api.find(app, known);
      return new Lookup(a.orElse(null), a.isPresent() ? Found.RECORDED : Found.NONE, List.of(), known);
    }
    if (rec != null && !blank(rec.getCreateRequestedName())) {
      Optional<Addon> a = api.find(app, rec.getCreateRequestedName());
      if (a.isPresent()) return new Lookup(a.get(), Found.BY_INTENT, List.of(), null);
      // not there: the POST never reached the API (or was refused); the create is sent again under the same name
    }
    String named = blank(c.getSpec().getResourceName()) ? null : c.getSpec().getResourceName();
    List<Addon> connect = api.list(app).stream().filter(a -> AddonDecisions.SERVICE.equals(a.service()))
        .filter(a -> named == null || named.equals(a.name())).toList();
    if (connect.size() == 1) return new Lookup(connect.get(0), Found.LISTED, List.of(), null);
    return new Lookup(null, Found.NONE, connect.stream().map(a -> a.name() + " (" + a.id() + ")").sorted().toList(), null);
  }

  /** The add-on's id as status recorded it, or null. */
  static String recordedId(HerokuConnectionStatus status) {
    AddonStatus rec = status.getAddon();
    if (rec != null && !blank(rec.getId())) return rec.getId();
    return blank(status.getConnectionId()) ? null : status.getConnectionId();
  }

  /**
   * The app the add-on is on: status.addon.app once the create intent or the add-on is recorded
   * (an edited spec.appName is refused, and never followed: the cleanup's DELETE included), else
   * the app of the binding (status.appName: bound before status.addon.app existed), else spec.appName.
   */
  public static String app(HerokuConnection c, HerokuConnectionStatus status) {
    AddonStatus rec = status == null ? null : status.getAddon();
    if (rec != null && !blank(rec.getApp())) return rec.getApp();
    boolean bound = status != null && !blank(status.getConnectionId()) && !blank(status.getAppName());
    return bound ? status.getAppName() : c.getSpec().getAppName();
  }

  /**
   * Whether this object created the add-on found, as far as its status and the add-on's name tell:
   * by its intent or this pass, yes; listed, when it bears the name only this object derives;
   * recorded, as status.addon.createdByThis says.
   */
  public static boolean createdByThis(HerokuConnection c, HerokuConnectionStatus status, Lookup l) {
    return switch (l.found()) {
      case BY_INTENT, CREATED -> true;
      case LISTED -> l.addon().name() != null && l.addon().name().equals(AddonNames.of(c));
      case RECORDED -> status.getAddon() != null && status.getAddon().createdByThis();
      case NONE -> false;
    };
  }

  /** The decision's facts for what was found; {@code createdByThis}: whether this object created it. */
  public static AddonDecisions.Facts facts(HerokuConnection c, HerokuConnectionStatus status, Lookup l, boolean createdByThis,
                                           Management management) {
    return new AddonDecisions.Facts(app(c, status), c.getSpec().getAddon().getPlan(), AddonNames.toCreate(c), management,
        l.addon(), l.found(), l.candidates(), l.recordedId(), createdByThis);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
