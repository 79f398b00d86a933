package dev.herokuconnect.operator.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herokuconnect.operator.cli.Cli;
import dev.herokuconnect.operator.cli.ExportCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export's output: -o yaml|json picks the format, --output-file the file; the old -o FILE is refused and names --output-file. */
class ExportOutputTest {
  @TempDir Path dir;
  Path exportFile;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void exportJson() throws Exception {
    exportFile = dir.resolve("export.json");
    Files.writeString(exportFile, """
        {"connection": {"db_key": "DATABASE_URL", "schema_name": "salesforce"},
         "mappings": [
           {"object_name": "Account", "config": {"access": "read_only", "sf_notify_enabled": false, "sf_polling_seconds": 600,
             "fields": {"Id": {}, "Name": {}, "SystemModstamp": {}}, "indexes": {"Id": {"unique": true}}}},
           {"object_name": "Contact", "config": {"access": "read_write", "sf_notify_enabled": true, "sf_polling_seconds": 300,
             "fields": {"Id": {}, "Email": {}, "SystemModstamp": {}}, "indexes": {"Id": {"unique": true}}}}]}
        """);
  }

  Run export(String... extra) {
    List<String> args = new ArrayList<>(List.of("--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales",
        "--from-file", exportFile.toString()));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ExportCommand.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void yamlIsTheDefaultAndJsonIsOneListOfTheSameObjects() throws Exception {
    Run plain = export();
    Run yaml = export("-o", "yaml");
    Run json = export("--output", "json");
    assertEquals(0, plain.code(), plain.err());
    assertEquals(plain.out(), yaml.out());
    assertEquals("", yaml.err() + json.err());
    JsonNode list = new ObjectMapper().readTree(json.out());
    assertEquals("v1", list.path("apiVersion").asText());
    assertEquals("List", list.path("kind").asText());
    List<JsonNode> items = new ArrayList<>();
    list.path("items").forEach(items::add);
    assertEquals(ExportRoundTripTest.docs(yaml.out()), items, "the same objects, in the same order");
    assertEquals(List.of("HerokuConnection", "HerokuMapping", "HerokuMapping"), items.stream().map(i -> i.path("kind").asText()).toList());
  }

  @Test
  void outputFileTakesTheOutputAndStdoutStaysEmpty() throws Exception {
    Path file = dir.resolve("sales.json");
    Run r = export("-o", "json", "--output-file", file.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(export("-o", "json").out(), Files.readString(file));
  }

  @Test
  void theOldDashOFileIsRefusedAndNamesOutputFile() throws Exception {
    Path file = dir.resolve("sales.yaml");
    Run r = export("-o", file.toString());
    assertEquals(Cli.USAGE, r.code(), r.err());
    assertEquals("", r.out());
    assertFalse(Files.exists(file), "output files only through --output-file");
    assertEquals("export: -o/--output is yaml or json, not '" + file + "'; write to a file with --output-file " + file,
        r.err().lines().findFirst().orElseThrow());
  }

  @Test
  void aBadFormatIsAUsageError() {
    Run r = export("-o", "xml", "--output-file", dir.resolve("x").toString());
    assertEquals(Cli.USAGE, r.code());
    assertTrue(r.err().startsWith("export: -o/--output is yaml or json, not 'xml'"), r.err());
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void helpNamesBothOptions() {
    Run r = export("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("[-o=yaml|json]") && r.out().contains("[--output-file=FILE]"), r.out());
  }
}
