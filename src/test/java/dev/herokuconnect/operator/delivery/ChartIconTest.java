package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** Chart.yaml's icon is a file of this repository, on its main branch, under the chart's source URL. */
class ChartIconTest {
  private static final String GITHUB = "https://github.com/";
  private static final String RAW = "https://raw.githubusercontent.com/";

  @Test
  void iconIsAnSvgOfThisRepositoryUnderTheSourceUrl() throws Exception {
    JsonNode chart = new ObjectMapper(new YAMLFactory()).readTree(Helm.CHART.resolve("Chart.yaml").toFile());
    String source = chart.path("sources").path(0).asText();
    assertTrue(source.startsWith(GITHUB), "Chart.yaml sources[0] is not a GitHub URL: " + source);
    String prefix = RAW + source.substring(GITHUB.length()) + "/main/";
    String icon = chart.path("icon").asText();
    assertTrue(icon.startsWith(prefix), "Chart.yaml icon should be " + prefix + "<path in this repository>, is: " + icon);

    Path file = Path.of(icon.substring(prefix.length()));
    assertTrue(Files.isRegularFile(file), "Chart.yaml icon names " + file + ", which is not in the repository");
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    assertEquals("svg", factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement().getTagName(), file + " is not an SVG");
  }

  @Test
  void lintHasNothingToSayAboutTheIcon() throws Exception {
    Helm.Result r = Helm.run("lint", "--strict", Helm.CHART.toString());
    assertEquals(0, r.exitCode(), r.output());
    assertFalse(r.output().toLowerCase().contains("icon"), r.output());
  }
}
