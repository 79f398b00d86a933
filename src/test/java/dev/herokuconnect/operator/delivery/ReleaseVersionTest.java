package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herokuconnect.operator.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * One version: pom.xml's is what --version prints (RuntimeJarIT runs the jar for that), the
 * chart's appVersion (hence the default image tag), the Dockerfile's label and the changelog's
 * latest release.
 */
class ReleaseVersionTest {
  static String pomVersion() throws Exception {
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Element project = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
    for (Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals("version")) return e.getTextContent().strip();
    }
    throw new AssertionError("pom.xml has no <version>");
  }

  @Test
  void chartAppVersionIsThePomVersionIsWhatVersionPrints() throws Exception {
    String pom = pomVersion();
    String appVersion = new ObjectMapper(new YAMLFactory()).readTree(Path.of("helm/heroku-connect-operator/Chart.yaml").toFile())
        .path("appVersion").asText();
    assertEquals(pom, appVersion, "helm/heroku-connect-operator/Chart.yaml appVersion");
    assertEquals(pom, Version.get(), "what --version prints (version.properties, filtered from the pom)");
  }

  /** What a chart index (Artifact Hub, helm search) shows: where the source is and who keeps it. */
  @Test
  void chartMetadataNamesItsSourcesAndMaintainers() throws Exception {
    var chart = new ObjectMapper(new YAMLFactory()).readTree(Path.of("helm/heroku-connect-operator/Chart.yaml").toFile());
    assertTrue(chart.path("sources").size() > 0 && chart.path("sources").get(0).asText().startsWith("https://"), chart.toString());
    assertTrue(chart.path("maintainers").size() > 0 && !chart.path("maintainers").get(0).path("name").asText().isBlank(), chart.toString());
    assertEquals(chart.path("home").asText(), chart.path("sources").get(0).asText(), "one address for the project");
  }

  @Test
  void theImageAndTheChangelogCarryIt() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    assertTrue(dockerfile.contains("org.opencontainers.image.version=\"${VERSION}\""), "the image label comes from the VERSION build arg");
    assertTrue(Files.readString(Path.of("Makefile")).contains("--build-arg VERSION=$(VERSION)"), "make image passes the pom's version");
    String changelog = Files.readString(Path.of("CHANGELOG.md"));
    String pom = pomVersion().replaceFirst("-SNAPSHOT$", "");
    assertTrue(changelog.contains("## [Unreleased]"), "CHANGELOG.md keeps an Unreleased section");
    assertTrue(pomVersion().endsWith("-SNAPSHOT") || changelog.contains("## [" + pom + "] - "),
        "a released version (" + pom + ") has its CHANGELOG.md entry");
  }
}
