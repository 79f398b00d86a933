package dev.herokuconnect.operator.platform;

import java.util.Locale;

/**
 * An add-on's state in its lifecycle, as the Platform API names it ({@code add-on.definitions.state}
 * in github:heroku/platform-api schema.json: "provisioning", "provisioned", "deprovisioned"), and
 * "deprovisioning", which the schema omits but the API answers to a DELETE still under way
 * (github:heroku/cli packages/cli/src/lib/addons/destroy_addon.ts waits on it).
 */
public enum AddonState {
  PROVISIONING, PROVISIONED, DEPROVISIONING, DEPROVISIONED;

  /** The API's name for the state, e.g. "provisioning". */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state the API named, or null for one this version does not know (the caller says so). */
  static AddonState ofApi(String name) {
    for (AddonState s : values()) {
      if (s.apiName().equals(name)) return s;
    }
    return null;
  }
}
