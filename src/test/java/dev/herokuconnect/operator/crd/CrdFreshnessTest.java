package dev.herokuconnect.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed CRDs (top level and in the chart) must be what the build generates. */
class CrdFreshnessTest {
  static final List<Path> COPIES = List.of(Path.of("crds"), Path.of("helm/heroku-connect-operator/crds"));

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    List<Path> generated;
    try (Stream<Path> s = Files.list(CrdSchemaTest.GENERATED)) {
      generated = s.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertEquals(2, generated.size(), "two CRDs generated");
    for (Path dir : COPIES) {
      for (Path g : generated) {
        Path copy = dir.resolve(g.getFileName());
        assertTrue(Files.exists(copy), copy + " is missing: run `make crds` and commit the result");
        assertEquals(Files.readString(g), Files.readString(copy),
            copy + " is stale: run `make crds` and commit the result");
      }
    }
  }
}
