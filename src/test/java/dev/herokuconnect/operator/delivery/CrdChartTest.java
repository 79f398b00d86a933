package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.crd.CrdSchema;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRDs as the chart's templates (issue 19): rendered per crds.enabled, kept per crds.keep,
 * labelled with the operator's version and schema like the plain copies in crds/.
 */
class CrdChartTest {
  static final List<String> NAMES = List.of("herokuconnections.herokuconnect.dev", "herokumappings.herokuconnect.dev");

  static List<JsonNode> crds(List<JsonNode> docs) {
    return Helm.all(docs, "CustomResourceDefinition");
  }

  @Test
  void bothCrdsRenderByDefaultLabelledAndKept() throws Exception {
    List<JsonNode> crds = crds(Helm.template());
    assertEquals(NAMES, crds.stream().map(c -> c.path("metadata").path("name").asText()).sorted().toList());
    String pom = ReleaseVersionTest.pomVersion();
    for (JsonNode crd : crds) {
      JsonNode meta = crd.path("metadata");
      assertEquals(pom, meta.path("labels").path(CrdSchema.VERSION_LABEL).asText(), meta.path("name") + ": the pom's version");
      assertEquals(String.valueOf(CrdSchema.SCHEMA), meta.path("labels").path(CrdSchema.SCHEMA_LABEL).asText(), meta.path("name") + ": the schema");
      assertEquals("keep", meta.path("annotations").path("helm.sh/resource-policy").asText(), meta.path("name") + ": kept by default");
      assertFalse(meta.has("namespace"), "CRDs are cluster-scoped");
    }
  }

  @Test
  void crdsDisabledRendersNone() throws Exception {
    assertEquals(List.of(), crds(Helm.template("crds.enabled=false")).stream().map(c -> c.path("metadata").path("name").asText()).toList());
    assertFalse(Helm.template("crds.enabled=false").isEmpty(), "the rest of the chart still renders");
  }

  @Test
  void keepFalseDropsTheAnnotation() throws Exception {
    List<JsonNode> crds = crds(Helm.template("crds.keep=false"));
    assertEquals(2, crds.size());
    for (JsonNode crd : crds) {
      assertFalse(crd.path("metadata").path("annotations").has("helm.sh/resource-policy"), crd.path("metadata").toString());
    }
  }

  /** The rendered CRD is the plain one from crds/ plus the chart's labels and the keep annotation. */
  @Test
  void theRenderedSpecIsTheGeneratedOne() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> rendered = crds(Helm.template());
    for (String name : NAMES) {
      JsonNode plain = yaml.readTree(Path.of("crds", name + "-v1.yml").toFile());
      JsonNode chart = rendered.stream().filter(c -> c.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
      assertEquals(plain.path("spec"), chart.path("spec"), name);
      plain.path("metadata").path("labels").fields().forEachRemaining(l ->
          assertEquals(l.getValue().asText(), chart.path("metadata").path("labels").path(l.getKey()).asText(), name + " " + l.getKey()));
    }
  }

  @Test
  void thePlainCrdsCarryTheVersionAndSchema() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (String name : NAMES) {
      JsonNode labels = yaml.readTree(Path.of("crds", name + "-v1.yml").toFile()).path("metadata").path("labels");
      assertEquals(ReleaseVersionTest.pomVersion(), labels.path(CrdSchema.VERSION_LABEL).asText(), name);
      assertEquals(String.valueOf(CrdSchema.SCHEMA), labels.path(CrdSchema.SCHEMA_LABEL).asText(), name);
      assertTrue(labels.path(CrdSchema.SCHEMA_LABEL).isTextual(), "a label value is a string");
    }
  }

  /** The start reads the two CRDs (StartupCheck): get on those names only, cluster-wide also with watchNamespaces. */
  @Test
  void theOperatorMayGetItsTwoCrdsAndNothingElse() throws Exception {
    for (List<JsonNode> docs : List.of(Helm.template(), Helm.template("operator.watchNamespaces={crm}"), Helm.template("crds.enabled=false"))) {
      JsonNode role = Helm.find(docs, "ClusterRole", "hco-heroku-connect-operator-crds");
      assertEquals("[{\"apiGroups\":[\"apiextensions.k8s.io\"],\"resources\":[\"customresourcedefinitions\"],"
          + "\"resourceNames\":[\"herokuconnections.herokuconnect.dev\",\"herokumappings.herokuconnect.dev\"],\"verbs\":[\"get\"]}]",
          role.path("rules").toString());
      JsonNode binding = Helm.find(docs, "ClusterRoleBinding", "hco-heroku-connect-operator-crds");
      assertEquals("hco-heroku-connect-operator-crds", binding.path("roleRef").path("name").asText());
      assertEquals("{\"kind\":\"ServiceAccount\",\"name\":\"hco-heroku-connect-operator\",\"namespace\":\"ops\"}",
          binding.path("subjects").get(0).toString());
    }
  }
}
