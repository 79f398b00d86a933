package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.crd.CrdValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health checks, laid out as in Argo CD's own repository
 * (resource_customizations/&lt;group&gt;/&lt;Kind&gt;/health.lua, health_test.yaml, testdata/),
 * run the way Argo CD's TestLuaHealthScript runs them: every case of health_test.yaml, the
 * fixture as the global {@code obj}, status and message compared exactly. Here with a real Lua
 * interpreter (luaj); the fixtures must also be valid objects of the generated CRDs.
 */
class ArgoHealthLuaTest {
  static final Path ROOT = Path.of("argocd/resource_customizations/herokuconnect.dev");
  static final List<String> KINDS = List.of("HerokuConnection", "HerokuMapping");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** JSON as Argo CD hands it to Lua: tables, strings, booleans, and numbers (float64). */
  static LuaValue toLua(JsonNode n) {
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      n.fields().forEachRemaining(e -> t.set(e.getKey(), toLua(e.getValue())));
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < n.size(); i++) t.set(i + 1, toLua(n.get(i)));
      return t;
    }
    if (n.isNumber()) return LuaValue.valueOf(n.asDouble());
    if (n.isBoolean()) return LuaValue.valueOf(n.asBoolean());
    if (n.isNull()) return LuaValue.NIL;
    return LuaValue.valueOf(n.asText());
  }

  /** {status, message} as the script returns them. */
  static List<String> health(Path script, JsonNode object) throws IOException {
    Globals g = JsePlatform.standardGlobals();
    g.set("obj", toLua(object));
    LuaValue hs = g.load(Files.readString(script), script.toString()).call();
    return List.of(hs.get("status").tojstring(), hs.get("message").isnil() ? "" : hs.get("message").tojstring());
  }

  @TestFactory
  Stream<DynamicTest> everyHealthTestCase() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (String kind : KINDS) {
      Path dir = ROOT.resolve(kind);
      CrdValidator crd = new CrdValidator(Path.of("crds", kind.toLowerCase() + "s.herokuconnect.dev-v1.yml"));
      for (JsonNode c : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
        String input = c.path("inputPath").asText();
        List<String> expected = List.of(c.path("healthStatus").path("status").asText(),
            c.path("healthStatus").path("message").asText(""));
        tests.add(DynamicTest.dynamicTest(kind + "/" + input + " -> " + expected.get(0), () -> {
          JsonNode object = YAML.readTree(dir.resolve(input).toFile());
          assertEquals(kind, object.path("kind").asText(), input);
          assertEquals(List.of(), crd.validate(object, null), input + " must be a valid " + kind);
          assertEquals(expected, health(dir.resolve("health.lua"), object), input);
        }));
      }
    }
    assertTrue(tests.size() >= 15, "cases: " + tests.size());
    return tests.stream();
  }

  /** Each kind's cases cover the statuses it can have, and every fixture is used. */
  @Test
  void theCasesCoverEveryStatusAndEveryFixture() throws IOException {
    for (String kind : KINDS) {
      Path dir = ROOT.resolve(kind);
      Set<String> statuses = new TreeSet<>();
      Set<String> used = new TreeSet<>();
      for (JsonNode c : YAML.readTree(dir.resolve("health_test.yaml").toFile()).path("tests")) {
        statuses.add(c.path("healthStatus").path("status").asText());
        used.add(c.path("inputPath").asText());
      }
      Set<String> wanted = new TreeSet<>(Set.of("Healthy", "Progressing", "Degraded"));
      if (kind.equals("HerokuConnection")) wanted.add("Suspended");
      assertTrue(statuses.containsAll(wanted), kind + " covers " + statuses + ", wants " + wanted);
      Set<String> fixtures = new TreeSet<>();
      try (Stream<Path> files = Files.list(dir.resolve("testdata"))) {
        files.forEach(f -> fixtures.add("testdata/" + f.getFileName()));
      }
      assertEquals(fixtures, used, kind + ": every fixture has a case and every case a fixture");
    }
  }

  /** Both kinds share one script; Argo CD's layout wants a copy per kind, so the copies must agree. */
  @Test
  void bothKindsHaveTheSameScript() throws IOException {
    assertEquals(Files.readString(ROOT.resolve("HerokuConnection/health.lua")),
        Files.readString(ROOT.resolve("HerokuMapping/health.lua")),
        "argocd/resource_customizations/herokuconnect.dev/*/health.lua differ");
  }

  /** The argo-cd Helm chart values a person copies from the README, made from the files above. */
  static String argoCdValuesSnippet() throws IOException {
    StringBuilder s = new StringBuilder("configs:\n  cm:\n");
    for (String kind : KINDS) {
      s.append("    resource.customizations.health.herokuconnect.dev_").append(kind).append(": |\n");
      for (String line : Files.readString(ROOT.resolve(kind).resolve("health.lua")).split("\n", -1)) {
        if (!line.isEmpty()) s.append("      ").append(line);
        s.append('\n');
      }
      s.setLength(s.length() - 1); // the file's last newline ends the block
    }
    return s.toString();
  }

  @Test
  void theReadmeSnippetIsTheScript() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String snippet = "```yaml\n" + argoCdValuesSnippet() + "```\n";
    assertTrue(readme.contains(snippet),
        "README.md's Argo CD values snippet differs from argocd/resource_customizations; it should read:\n" + snippet);
  }

  /** The snippet is YAML whose keys are the scripts, byte for byte. */
  @Test
  void theSnippetParsesBackToTheScripts() throws IOException {
    JsonNode cm = YAML.readTree(argoCdValuesSnippet()).path("configs").path("cm");
    for (String kind : KINDS) {
      assertEquals(Files.readString(ROOT.resolve(kind).resolve("health.lua")),
          cm.path("resource.customizations.health.herokuconnect.dev_" + kind).asText(), kind);
    }
  }
}
