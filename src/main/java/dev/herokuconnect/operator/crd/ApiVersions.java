package dev.herokuconnect.operator.crd;

import java.math.BigDecimal;
import java.util.List;

/**
 * The Salesforce API versions a HerokuConnection may ask for: {@code NN.0}, at least
 * {@link #OLDEST_SUPPORTED} (what the Connect API accepts), never below the live version (the API
 * does not downgrade). One rule in two forms that say the same: {@link #refusal} for the operator
 * (everywhere, CEL or not) and {@link #CEL_RULES} for the CRD (a transition rule at the root, since
 * it reads the status; it applies only when spec.salesforce.apiVersion changes, so a status write
 * that shows a newer live version is never refused).
 */
public final class ApiVersions {
  private ApiVersions() {}

  /** The oldest version the Connect API supports (the CLI plugin refuses below it too). */
  public static final String OLDEST_SUPPORTED = "32.0";

  private static final String WANT = "self.spec.salesforce.apiVersion";
  private static final String WAS = "oldSelf.spec.salesforce.apiVersion";
  /** A version that is not NN.0 is the field's pattern's to refuse; the rules only compare numbers (double() of text is an error). */
  private static final String NUMBER = "'^[0-9]{2,3}[.]0$'";

  public static final List<ConnectionIdentity.Rule> CEL_RULES = List.of(
      new ConnectionIdentity.Rule("!has(self.spec.salesforce) || !has(" + WANT + ") || " + WANT + " == ''"
          + " || !" + WANT + ".matches(" + NUMBER + ") || double(" + WANT + ") >= " + OLDEST_SUPPORTED,
          "spec.salesforce.apiVersion must be " + OLDEST_SUPPORTED + " or newer (the oldest the Connect API supports)"),
      new ConnectionIdentity.Rule("!has(self.spec.salesforce) || !has(" + WANT + ") || " + WANT + " == ''"
          + " || !has(oldSelf.status) || !has(oldSelf.status.apiVersion) || oldSelf.status.apiVersion == ''"
          + " || (has(oldSelf.spec.salesforce) && has(" + WAS + ") && " + WANT + " == " + WAS + ")"
          + " || !" + WANT + ".matches(" + NUMBER + ") || !oldSelf.status.apiVersion.matches(" + NUMBER + ")"
          + " || double(" + WANT + ") >= double(oldSelf.status.apiVersion)",
          "spec.salesforce.apiVersion may not be below the connection's live version (status.apiVersion): the API does not "
              + "downgrade"));

  /** Why {@code want} may not be asked for on a connection running {@code live} (either may be null), or null. */
  public static String refusal(String want, String live) {
    if (want == null || want.isBlank()) return null;
    if (!want.matches("[0-9]{2,3}\\.0")) {
      return "spec.salesforce.apiVersion '" + want + "' is not a Salesforce API version (NN.0, e.g. 62.0): set one, or remove it";
    }
    if (compare(want, OLDEST_SUPPORTED) < 0) {
      return "spec.salesforce.apiVersion " + want + " is older than " + OLDEST_SUPPORTED + ", the oldest the Connect API supports: "
          + "set " + OLDEST_SUPPORTED + " or newer";
    }
    if (live != null && !live.isBlank() && compare(want, live) < 0) {
      return "spec.salesforce.apiVersion " + want + " is below the connection's live version " + live + " (status.apiVersion): "
          + "the API does not downgrade; set " + live + " or newer, or remove it";
    }
    return null;
  }

  /** Versions compared as numbers ("9.0" < "52.0"); a version that is not a number sorts first. */
  public static int compare(String a, String b) {
    return number(a).compareTo(number(b));
  }

  private static BigDecimal number(String v) {
    try {
      return new BigDecimal(v.trim());
    } catch (RuntimeException e) {
      return BigDecimal.valueOf(-1);
    }
  }
}
