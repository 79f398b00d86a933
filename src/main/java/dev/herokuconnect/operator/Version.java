package dev.herokuconnect.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The operator's version: the pom's, filtered into version.properties at build time. */
public final class Version {
  private static final String RESOURCE = "/dev/herokuconnect/operator/version.properties";
  private static final String VERSION = load();

  private Version() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing: build with Maven (make build)");
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.contains("${")) throw new IllegalStateException(RESOURCE + " was not filtered: build with Maven (make build)");
      return v.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
