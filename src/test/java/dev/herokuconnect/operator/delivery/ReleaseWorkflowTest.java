package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * .github/workflows/release.yml cannot run here (registry, OIDC, cosign); its shape can be checked:
 * on a version tag, `make release`, Jib pushing on a base pinned by digest, keyless cosign on image,
 * chart and checksums, helm push to an OCI registry, the folder attached.
 */
class ReleaseWorkflowTest {
  static final Path WORKFLOW = Path.of(".github/workflows/release.yml");

  @Test
  void aTagBuildsWithMakeReleaseSignsKeylessAndPushes() throws Exception {
    JsonNode wf = new ObjectMapper(new YAMLFactory()).readTree(WORKFLOW.toFile());
    JsonNode on = wf.has("on") ? wf.path("on") : wf.path("true");
    assertTrue(on.path("push").path("tags").toString().contains("v[0-9]+"), "runs on version tags: " + on);
    assertEquals("write", wf.path("permissions").path("id-token").asText(), "keyless cosign needs the OIDC token");

    List<String> runs = new ArrayList<>();
    List<String> uses = new ArrayList<>();
    wf.path("jobs").forEach(job -> job.path("steps").forEach(step -> {
      if (step.has("run")) runs.add(step.path("run").asText());
      if (step.has("uses")) uses.add(step.path("uses").asText());
    }));
    String all = String.join("\n", runs);
    assertTrue(runs.stream().anyMatch(r -> r.startsWith("make release")), "the folder comes from make release: " + runs);
    assertTrue(uses.stream().anyMatch(u -> u.startsWith("sigstore/cosign-installer@")), uses.toString());
    assertTrue(all.contains("jib:build") && all.contains("-Djib.from.image=\"$BASE_IMAGE\""), "Jib pushes on the pinned base");
    assertTrue(all.contains("cosign sign --yes \"$IMAGE@$IMAGE_DIGEST\""), "the image is signed by digest");
    assertTrue(all.contains("helm push") && all.contains("cosign sign --yes \"${CHART_REPO#oci://}/heroku-connect-operator@$CHART_DIGEST\""),
        "the chart is pushed and signed by digest");
    assertTrue(all.contains("cosign sign-blob --yes --bundle SHA256SUMS.cosign.bundle SHA256SUMS"), "the checksums are signed");
    assertTrue(!all.contains("--key "), "keyless: no key");
    assertTrue(all.contains("gh release create") && all.contains("target/release/\"$VERSION\"/*"), "the folder is attached");

    JsonNode env = wf.path("env");
    assertTrue(env.path("BASE_IMAGE").asText().matches("\\S+@sha256:[0-9a-f]{64}"), "the base image is pinned by digest: " + env);
    assertTrue(env.path("CHART_REPO").asText().startsWith("oci://"), "the chart goes to an OCI registry");
  }
}
