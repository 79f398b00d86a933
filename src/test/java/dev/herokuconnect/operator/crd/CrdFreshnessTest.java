package dev.herokuconnect.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs must be what the build generates: crds/ (for kubectl apply) and the chart's
 * templates/crds/ (the same CRDs as templates, written by CrdSchemaFinisher into target/helm-crds).
 */
class CrdFreshnessTest {
  static final Path PLAIN = Path.of("crds");
  static final Path CHART_TEMPLATES = Path.of("helm/heroku-connect-operator/templates/crds");
  static final Path GENERATED_TEMPLATES = Path.of("target/helm-crds");

  static List<Path> list(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  static void sameFiles(Path generatedDir, Path committedDir, String suffix) throws IOException {
    List<Path> generated = list(generatedDir, suffix);
    assertEquals(2, generated.size(), "two CRDs generated in " + generatedDir);
    for (Path g : generated) {
      Path copy = committedDir.resolve(g.getFileName());
      assertTrue(Files.exists(copy), copy + " is missing: run `make crds` and commit the result");
      assertEquals(Files.readString(g), Files.readString(copy), copy + " is stale: run `make crds` and commit the result");
    }
    assertEquals(generated.stream().map(Path::getFileName).toList(), list(committedDir, suffix).stream().map(Path::getFileName).toList(),
        committedDir + " holds only the generated CRDs: run `make crds` and remove the others");
  }

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    sameFiles(CrdSchemaTest.GENERATED, PLAIN, "-v1.yml");
  }

  @Test
  void chartTemplatesMatchTheGeneratedOnes() throws IOException {
    sameFiles(GENERATED_TEMPLATES, CHART_TEMPLATES, ".yaml");
  }

  @Test
  void theChartHasNoCrdsFolderHelmWouldNeverUpgrade() {
    assertTrue(!Files.exists(Path.of("helm/heroku-connect-operator/crds")),
        "helm/heroku-connect-operator/crds/ is installed once and never upgraded by helm: the CRDs live in templates/crds/");
  }
}
