package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * `make release` end to end, after `package` (it reuses the jars in target/): the folder holds
 * the runtime jar, the chart as helm packaged it, the CycloneDX SBOM and SHA256SUMS, which
 * `sha256sum -c` verifies; the version is the pom's everywhere; another VERSION is refused.
 */
class ReleaseIT {
  record Run(int exitCode, String output) {}

  static Run make(String... args) throws Exception {
    String mvn = Path.of(System.getProperty("maven.home", "/usr/share/maven"), "bin", "mvn").toString();
    String repo = System.getProperty("maven.repo.local");
    List<String> cmd = new ArrayList<>(List.of("make", "--no-print-directory", "release",
        "MVN=" + mvn + " -B" + (repo != null ? " -Dmaven.repo.local=" + repo : ""),
        "HELM=" + Path.of(Helm.binary()).toAbsolutePath()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("make release timed out");
    }
    return new Run(p.exitValue(), out);
  }

  @Test
  void makeReleaseWritesOneVerifiableFolder() throws Exception {
    String version = ReleaseVersionTest.pomVersion();
    Run run = make();
    assertEquals(0, run.exitCode(), run.output());
    Path dir = Path.of("target/release", version);
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(f -> files.add(f.getFileName().toString()));
    }
    assertEquals(new TreeSet<>(List.of("SHA256SUMS", "heroku-connect-operator-" + version + ".cdx.json",
        "heroku-connect-operator-" + version + ".tgz", "heroku-connect-operator-runtime-" + version + ".jar")), files,
        "no image tarball without RELEASE_IMAGE=1");
    assertArrayEquals(Files.readAllBytes(Path.of("target/heroku-connect-operator-runtime.jar")),
        Files.readAllBytes(dir.resolve("heroku-connect-operator-runtime-" + version + ".jar")), "the runtime jar, as built");

    // SHA256SUMS: every other file, in sha256sum's format, and sha256sum -c verifies it
    Set<String> summed = new TreeSet<>();
    for (String line : Files.readAllLines(dir.resolve("SHA256SUMS"))) {
      assertTrue(line.matches("[0-9a-f]{64}  \\S+"), line);
      summed.add(line.substring(66));
    }
    Set<String> others = new TreeSet<>(files);
    others.remove("SHA256SUMS");
    assertEquals(others, summed);
    Process check = new ProcessBuilder("sha256sum", "-c", "SHA256SUMS").directory(dir.toFile()).redirectErrorStream(true).start();
    String checked = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, check.waitFor(), checked);

    // the SBOM: CycloneDX JSON of this version, naming the jar's dependencies
    JsonNode bom = new ObjectMapper().readTree(dir.resolve("heroku-connect-operator-" + version + ".cdx.json").toFile());
    assertEquals("CycloneDX", bom.path("bomFormat").asText());
    assertEquals(version, bom.path("metadata").path("component").path("version").asText());
    List<String> purls = new ArrayList<>();
    bom.path("components").forEach(c -> purls.add(c.path("purl").asText()));
    for (String dep : List.of("pkg:maven/io.fabric8/kubernetes-client@", "pkg:maven/io.javaoperatorsdk/operator-framework-core@",
        "pkg:maven/com.squareup.okhttp3/okhttp@", "pkg:maven/info.picocli/picocli@")) {
      assertTrue(purls.stream().anyMatch(p -> p.startsWith(dep)), dep + " in the SBOM: " + purls);
    }
    assertTrue(purls.stream().noneMatch(p -> p.startsWith("pkg:maven/org.junit")), "no test dependencies: " + purls);
    for (String left : List.of("pkg:maven/io.fabric8/kubernetes-server-mock@", "pkg:maven/io.vertx/", "pkg:maven/io.netty/", "pkg:maven/org.bouncycastle/")) {
      assertTrue(purls.stream().noneMatch(p -> p.startsWith(left)), left + " is not in the runtime jar, so not in its SBOM: " + purls);
    }
    // every Maven artifact the runtime jar carries (META-INF/maven/g/a/pom.properties) is in the SBOM
    Set<String> inBom = new TreeSet<>();
    bom.path("components").forEach(c -> inBom.add(c.path("group").asText() + ":" + c.path("name").asText()));
    inBom.add(bom.path("metadata").path("component").path("group").asText() + ":" + bom.path("metadata").path("component").path("name").asText());
    Set<String> inJar = new TreeSet<>();
    try (JarFile jar = new JarFile(dir.resolve("heroku-connect-operator-runtime-" + version + ".jar").toFile())) {
      jar.stream().map(e -> e.getName().split("/"))
          .filter(n -> n.length == 5 && n[0].equals("META-INF") && n[1].equals("maven") && n[4].equals("pom.properties"))
          .forEach(n -> inJar.add(n[2] + ":" + n[3]));
    }
    assertTrue(inJar.size() > 20, inJar.toString());
    inJar.removeAll(inBom);
    assertEquals(Set.of(), inJar, "in the runtime jar, missing from the SBOM");
    Set<String> refs = new TreeSet<>();
    bom.path("components").forEach(c -> refs.add(c.path("bom-ref").asText()));
    refs.add(bom.path("metadata").path("component").path("bom-ref").asText());
    bom.path("dependencies").forEach(d -> {
      assertTrue(refs.contains(d.path("ref").asText()), "dependency graph names a component: " + d);
      d.path("dependsOn").forEach(x -> assertTrue(refs.contains(x.asText()), "dependency graph names a component: " + d));
    });

    // the chart: helm's own reading of the package carries the pom's version
    Helm.Result show = Helm.run("show", "chart", dir.resolve("heroku-connect-operator-" + version + ".tgz").toString());
    assertEquals(0, show.exitCode(), show.output());
    JsonNode chart = new ObjectMapper(new YAMLFactory()).readTree(show.output());
    assertEquals(version, chart.path("version").asText());
    assertEquals(version, chart.path("appVersion").asText());
  }

  @Test
  void anotherVersionIsRefusedWithOneLine() throws Exception {
    Run run = make("VERSION=" + ReleaseVersionTest.pomVersion() + ".1");
    assertNotEquals(0, run.exitCode(), run.output());
    String first = run.output().lines().findFirst().orElse("");
    assertTrue(first.startsWith("make release: VERSION=") && first.contains("bump the version in pom.xml"), run.output());
    assertTrue(new File("target/release/" + ReleaseVersionTest.pomVersion() + ".1").exists() == false, "nothing written");
  }
}
