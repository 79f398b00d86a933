package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The name a HerokuConnection gives the add-on it creates. Heroku add-on names are global (one
 * namespace for every account), so the name carries a short hash: of the object's namespace, name
 * and uid, so that an object deleted and created again under the same name never takes the
 * add-on its predecessor orphaned for its own. The same object always derives the same name: a
 * pass that finds its create intent recorded looks the add-on up by it (a crash between the POST
 * and the status write adopts, never creates a second). Valid per the Platform API's add-on name
 * ({@code definitions.add-on.definitions.name} in github:heroku/platform-api schema.json:
 * {@code ^[a-zA-Z][A-Za-z0-9_-]+$}); kept under {@value #MAX} characters.
 */
public final class AddonNames {
  /** The Platform API's pattern for an add-on name. */
  public static final String PATTERN = "^[a-zA-Z][A-Za-z0-9_-]+$";
  static final int MAX = 48;
  private static final String PREFIX = "hc-";
  private static final int HASH_HEX = 8;

  private AddonNames() {}

  /** The derived name, e.g. hc-crm-sales-1a2b3c4d. */
  public static String of(HerokuConnection c) {
    var md = c.getMetadata();
    String readable = (md.getNamespace() + "-" + md.getName()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    int room = MAX - PREFIX.length() - 1 - HASH_HEX;
    if (readable.length() > room) readable = readable.substring(0, room);
    readable = readable.replaceAll("-+$", "");
    return PREFIX + readable + "-" + hash(md.getNamespace() + "/" + md.getName() + "/" + md.getUid());
  }

  /** The name to create with: spec.resourceName when set (it must name the add-on found), else the derived one. */
  public static String toCreate(HerokuConnection c) {
    String wanted = c.getSpec().getResourceName();
    return wanted != null && !wanted.isBlank() ? wanted : of(c);
  }

  private static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, HASH_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
