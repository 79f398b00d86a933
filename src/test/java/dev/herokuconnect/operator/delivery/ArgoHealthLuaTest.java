package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** The chart's Argo CD health script, run by a real Lua interpreter on status fixtures. */
class ArgoHealthLuaTest {
  static final Path SCRIPT = Path.of("helm/heroku-connect-operator/files/health.lua");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
    if (n.isIntegralNumber()) return LuaValue.valueOf(n.asLong());
    if (n.isBoolean()) return LuaValue.valueOf(n.asBoolean());
    if (n.isNull()) return LuaValue.NIL;
    return LuaValue.valueOf(n.asText());
  }

  static String[] health(String objectYaml) throws Exception {
    Globals g = JsePlatform.standardGlobals();
    g.set("obj", toLua(YAML.readTree(objectYaml)));
    LuaValue hs = g.load(Files.readString(SCRIPT), "health.lua").call();
    return new String[] {hs.get("status").tojstring(), hs.get("message").isnil() ? "" : hs.get("message").tojstring()};
  }

  static String object(int generation, int observed, String ready, String readyReason, String reconciling, String stalled,
                       String stalledReason) {
    return """
        kind: HerokuMapping
        metadata: {generation: %d}
        status:
          observedGeneration: %d
          conditions:
            - {type: Ready, status: "%s", reason: %s, message: "ready message"}
            - {type: Reconciling, status: "%s", reason: Progressing, message: "working"}
            - {type: Stalled, status: "%s", reason: %s, message: "stalled message"}
        """.formatted(generation, observed, ready, readyReason, reconciling, stalled, stalledReason);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ready,               2, 2, True,  Synced,            False, False, Synced,                       Healthy",
      "reconciling,         2, 2, False, Progressing,       True,  False, Progressing,                  Progressing",
      "generation lags,     3, 2, True,  Synced,            False, False, Synced,                       Progressing",
      "stalled on 400,      2, 2, False, InvalidSpec,       False, True,  InvalidSpec,                  Degraded",
      "needs authorization, 1, 1, False, NeedsSalesforceAuthorization, False, True, NeedsSalesforceAuthorization, Degraded",
      "remote error state,  1, 1, False, RemoteError,       False, False, RemoteError,                  Degraded",
      "paused,              1, 1, False, Paused,            False, False, Paused,                       Suspended",
      "rate limited,        1, 1, False, RateLimited,       True,  False, RateLimited,                  Progressing",
  })
  void outcomes(String name, int gen, int observed, String ready, String readyReason, String reconciling, String stalled,
                String stalledReason, String expected) throws Exception {
    String[] hs = health(object(gen, observed, ready, readyReason, reconciling, stalled, stalledReason));
    assertEquals(expected, hs[0], name + ": " + hs[1]);
  }

  @org.junit.jupiter.api.Test
  void noStatusYetIsProgressing() throws Exception {
    assertEquals("Progressing", health("kind: HerokuConnection\nmetadata: {generation: 1}\nspec: {appName: x}\n")[0]);
  }
}
