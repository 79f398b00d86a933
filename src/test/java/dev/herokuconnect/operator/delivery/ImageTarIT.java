package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make image-tar` (the -Pjib profile) without a registry: the real base image cannot be pulled
 * on a machine without access to a registry, so Jib builds here on a small stand-in base image
 * given as a tarball (-Djib.from.image=tar://...). What this checks is what the profile adds:
 * one application layer holding exactly the runtime jar, and the labels, user, entrypoint and
 * settings of the Dockerfile. That the result runs on the distroless base is checked where a
 * registry is reachable, by `make image-tar` and `docker load`.
 */
class ImageTarIT {
  static final String VERSION = System.getProperty("project.version");
  static final Path RUNTIME = Path.of(System.getProperty("runtime.jar", "target/heroku-connect-operator-runtime.jar"));
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void jibWritesAnOciTarOfTheRuntimeJarWithTheLabels() throws Exception {
    String mavenHome = System.getProperty("maven.home");
    Assumptions.assumeTrue(mavenHome != null && Files.isExecutable(Path.of(mavenHome, "bin", "mvn")),
        "runs under `mvn verify` (needs maven.home to start Jib)");
    Path base = standInBase();
    Path out = dir.resolve("image.tar");
    List<String> cmd = new ArrayList<>(List.of(Path.of(mavenHome, "bin", "mvn").toString(), "-B", "-q", "-Pjib", "jib:buildTar",
        "-Djib.from.image=tar://" + base.toAbsolutePath(), "-Dimage.tar=" + out.toAbsolutePath()));
    if (System.getProperty("maven.repo.local") != null) cmd.add("-Dmaven.repo.local=" + System.getProperty("maven.repo.local"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("mvn.log").toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("jib:buildTar still running after 300 s");
    }
    assertEquals(0, p.exitValue(), () -> "jib:buildTar failed:\n" + read(dir.resolve("mvn.log")));

    Map<String, byte[]> files = untar(Files.newInputStream(out));
    JsonNode index = JSON.readTree(files.get("index.json"));
    JsonNode manifest = JSON.readTree(blob(files, index.path("manifests").get(0).path("digest").asText()));
    JsonNode config = JSON.readTree(blob(files, manifest.path("config").path("digest").asText())).path("config");

    JsonNode labels = config.path("Labels");
    assertEquals("heroku-connect-operator", labels.path("org.opencontainers.image.title").asText());
    assertEquals(VERSION, labels.path("org.opencontainers.image.version").asText());
    assertEquals("Apache-2.0", labels.path("org.opencontainers.image.licenses").asText());
    assertEquals("https://github.com/herokuconnect-dev/heroku-connect-operator", labels.path("org.opencontainers.image.source").asText());
    assertTrue(!labels.path("org.opencontainers.image.description").asText().isBlank());
    assertEquals(List.of("/usr/bin/java", "-jar", "/app/heroku-connect-operator-runtime.jar"), strings(config.path("Entrypoint")));
    assertEquals(List.of("run"), strings(config.path("Cmd")));
    assertEquals("65532:65532", config.path("User").asText());
    assertTrue(strings(config.path("Env")).containsAll(List.of("METRICS_PORT=8080", "HEALTH_PORT=8081")), config.toString());
    assertEquals(List.of("8080/tcp", "8081/tcp"), List.copyOf(sortedNames(config.path("ExposedPorts"))), config.toString());

    JsonNode layers = manifest.path("layers");
    assertEquals(2, layers.size(), "the stand-in base layer and one application layer: " + layers);
    Map<String, byte[]> app = untar(new GZIPInputStream(new ByteArrayInputStream(blob(files, layers.get(1).path("digest").asText()))));
    List<String> regularFiles = app.keySet().stream().filter(n -> !n.endsWith("/")).toList();
    assertEquals(List.of("app/heroku-connect-operator-runtime.jar"), regularFiles, "the runtime jar and nothing else");
    assertArrayEquals(sha256(Files.readAllBytes(RUNTIME)), sha256(app.get("app/heroku-connect-operator-runtime.jar")));
  }

  /** A one-layer image in `docker save` form: all Jib needs of a base. */
  Path standInBase() throws Exception {
    byte[] layer = tar(Map.of("etc/stand-in-base", "not a real base image\n".getBytes(StandardCharsets.UTF_8)));
    String diffId = "sha256:" + HexFormat.of().formatHex(sha256(layer));
    byte[] config = JSON.writeValueAsBytes(JSON.readTree("""
        {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},
         "rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"ImageTarIT stand-in"}]}""".formatted(diffId)));
    byte[] manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"stand-in:base\"],\"Layers\":[\"layer.tar\"]}]".getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("manifest.json", manifest);
    entries.put("config.json", config);
    entries.put("layer.tar", layer);
    Path base = dir.resolve("base.tar");
    Files.write(base, tar(entries));
    return base;
  }

  static byte[] blob(Map<String, byte[]> files, String digest) {
    byte[] b = files.get("blobs/sha256/" + digest.replaceFirst("^sha256:", ""));
    if (b == null) throw new AssertionError("no blob " + digest + " in " + files.keySet());
    return b;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** A ustar archive of regular files. */
  static byte[] tar(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      byte[] h = new byte[512];
      put(h, 0, e.getKey());
      put(h, 100, "0000644");
      put(h, 108, "0000000");
      put(h, 116, "0000000");
      put(h, 124, String.format("%011o", e.getValue().length));
      put(h, 136, "00000000000");
      h[156] = '0';
      put(h, 257, "ustar");
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) h[i] = ' ';
      long sum = 0;
      for (byte b : h) sum += b & 0xff;
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      h[155] = ' ';
      out.write(h);
      out.write(e.getValue());
      out.write(new byte[(512 - e.getValue().length % 512) % 512]);
    }
    out.write(new byte[1024]);
    return out.toByteArray();
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }

  /** Reads a tar (ustar, with PAX headers skipped): name to content; directories end with '/'. */
  static Map<String, byte[]> untar(InputStream in) throws IOException {
    try (in) {
      Map<String, byte[]> out = new LinkedHashMap<>();
      String paxPath = null;
      while (true) {
        byte[] h = in.readNBytes(512);
        if (h.length < 512 || h[0] == 0) return out;
        String name = field(h, 0, 100);
        String prefix = field(h, 345, 155);
        if (!prefix.isEmpty()) name = prefix + "/" + name;
        long size = Long.parseLong(field(h, 124, 12).isBlank() ? "0" : field(h, 124, 12).strip(), 8);
        byte[] data = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        char type = (char) h[156];
        if (type == 'x') {
          for (String rec : new String(data, StandardCharsets.UTF_8).split("\n")) {
            int eq = rec.indexOf(" path=");
            if (eq >= 0) paxPath = rec.substring(eq + 6);
          }
          continue;
        }
        if (paxPath != null) {
          name = paxPath;
          paxPath = null;
        }
        name = name.replaceFirst("^\\./", "").replaceFirst("^/", "");
        out.put(type == '5' && !name.endsWith("/") ? name + "/" : name, data);
      }
    }
  }

  private static String field(byte[] h, int at, int len) {
    int end = at;
    while (end < at + len && h[end] != 0) end++;
    return new String(h, at, end - at, StandardCharsets.US_ASCII).strip();
  }

  static java.util.SortedSet<String> sortedNames(JsonNode object) {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
