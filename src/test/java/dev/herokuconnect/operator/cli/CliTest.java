package dev.herokuconnect.operator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herokuconnect.operator.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as a whole (issue 19): one exit-code table, unknown flags refused, --help and
 * --version on every command, shell completion. Outcomes that need the Connect API (plan's 0/2,
 * export's formats) are in PlanCommandTest and ExportOutputTest.
 */
class CliTest {
  static final List<String> COMMANDS = List.of("run", "demo", "export", "plan", "completion", "version");

  record Run(int code, String out, String err) {}

  static Run cli(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.execute(new Cli.Io(env, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)), args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run cli(String... args) {
    return cli(Map.of(), args);
  }

  static String[] args(String command, String... rest) {
    List<String> all = new ArrayList<>();
    if (!command.isEmpty()) all.add(command);
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @Test
  void theUsageCodeIsNoneOfTheOthers() {
    assertEquals(List.of(0, 1, 2, 64), List.of(Cli.OK, Cli.ERROR, Cli.CHANGES, Cli.USAGE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "run", "demo", "export", "plan", "completion", "version"})
  void helpOnEveryCommandWithTheExitCodeTable(String command) {
    Run r = cli(args(command, "--help"));
    assertEquals(Cli.OK, r.code(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("Usage: heroku-connect-operator" + (command.isEmpty() ? " " : " " + command + " ")), r.out());
    assertTrue(r.out().contains("""
        Exit codes:
           0   success (plan: planned; with --exit-code: and nothing would change)
           1   error while running:"""), r.out());
    assertTrue(r.out().contains("\n   2   only plan --exit-code: something would change\n"), r.out());
    assertTrue(r.out().contains("\n  64   usage error: an unknown flag or command, a missing or bad argument (EX_USAGE)\n"), r.out());
    Run shortForm = cli(args(command, "-h"));
    assertEquals(r, shortForm);
  }

  @Test
  void theTopLevelHelpListsEveryCommand() {
    String out = cli("--help").out();
    for (String c : COMMANDS) assertTrue(out.contains("\n  " + c + " "), c + " in\n" + out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "run", "demo", "export", "plan", "completion", "version"})
  void versionOnEveryCommand(String command) {
    Run r = cli(args(command, "--version"));
    assertEquals(new Run(Cli.OK, Version.get() + "\n", ""), r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "run", "demo", "export", "plan", "completion", "version"})
  void anUnknownFlagIsRefusedWithOneLineAndTheUsage(String command) {
    Run r = cli(args(command, "--bogus"));
    assertEquals(Cli.USAGE, r.code(), r.out() + r.err());
    assertEquals("", r.out());
    List<String> lines = r.err().lines().toList();
    String name = command.isEmpty() ? "heroku-connect-operator" : command;
    assertEquals(name + ": unknown option '--bogus'", lines.get(0));
    assertEquals("", lines.get(1));
    assertTrue(lines.get(2).startsWith("Usage: heroku-connect-operator " + (command.isEmpty() ? "" : command + " ")), r.err());
    assertEquals("Try 'heroku-connect-operator" + (command.isEmpty() ? "" : " " + command) + " --help' for more information.",
        lines.get(lines.size() - 1));
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    Run r = cli("plann", "-f", "x");
    assertEquals(Cli.USAGE, r.code());
    assertEquals("heroku-connect-operator: unknown command or unexpected argument 'plann'", r.err().lines().findFirst().orElseThrow());
  }

  @Test
  void aTokenTypedAsAnArgumentIsNeverEchoed() {
    String token = "0f9a8b7c-6d5e-4f3a-9b8c-7d6e5f4a3b2c";
    for (String[] args : List.of(new String[] {"plan", "--token", token}, new String[] {"plan", "--token=" + token},
        new String[] {"export", "--app", "a", token}, new String[] {token})) {
      Run r = cli(args);
      assertEquals(Cli.USAGE, r.code(), String.join(" ", args));
      assertFalse(r.err().contains(token) || r.out().contains(token), r.err());
    }
  }

  // ---- exit codes per command (plan's 0 and 2, export's 0: PlanCommandTest, ExportOutputTest) ----

  @Test
  void runAnUnreadableSettingIsAnErrorNotAUsageError() {
    Run r = cli(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", "1.5h"), "run");
    assertEquals(Cli.ERROR, r.code(), r.err());
    assertTrue(r.err().startsWith("heroku-connect-operator cannot start: HEROKU_CONNECT_REFRESH_INTERVAL=1.5h"), r.err());
    Run noCommand = cli(Map.of("HEROKU_CONNECT_REFRESH_INTERVAL", "1.5h"));
    assertEquals(r, noCommand, "no command is run");
  }

  @Test
  void runTakesNoArguments() {
    Run r = cli("run", "extra");
    assertEquals(Cli.USAGE, r.code(), r.err());
  }

  @Test
  void planErrorsAndUsageErrors(@TempDir Path dir) {
    Run missing = cli("plan", "-f", dir.resolve("nope").toString());
    assertEquals(Cli.ERROR, missing.code(), missing.err());
    Run noValue = cli("plan", "-f");
    assertEquals(Cli.USAGE, noValue.code(), noValue.err());
    Run badFormat = cli("plan", "-f", dir.toString(), "-o", "xml");
    assertEquals(Cli.USAGE, badFormat.code());
    assertEquals("plan: -o/--output is text, json or yaml, not 'xml'", badFormat.err().lines().findFirst().orElseThrow());
    Run badNamespace = cli("plan", "-f", dir.toString(), "-n", "Not_A_Name");
    assertEquals(Cli.USAGE, badNamespace.code());
  }

  @Test
  void exportErrorsAndUsageErrors(@TempDir Path dir) throws Exception {
    Run noToken = cli("export", "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales");
    assertEquals(Cli.ERROR, noToken.code(), noToken.err());
    Run badApp = cli("export", "--app", "Not An App", "--namespace", "crm", "--connection-name", "sales");
    assertEquals(Cli.USAGE, badApp.code(), badApp.err());
    Run badPolicy = cli("export", "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--deletion-policy", "Keep");
    assertEquals(Cli.USAGE, badPolicy.code(), badPolicy.err());
    Path notExport = dir.resolve("x.json");
    Files.writeString(notExport, "{}");
    Run error = cli("export", "--app", "acme-crm", "--namespace", "crm", "--connection-name", "sales", "--from-file", notExport.toString());
    assertEquals(Cli.ERROR, error.code(), error.err());
  }

  @Test
  void demoUsageError() {
    assertEquals(Cli.USAGE, cli("demo", "--examples").code());
    Run bad = cli("demo", "--delete", "Destroy");
    assertEquals(Cli.USAGE, bad.code(), "a policy that is not one is a usage error, before anything starts");
    assertTrue(bad.err().contains("--delete is Orphan or Delete, not 'Destroy'"), bad.err());
  }

  // ---- completion -------------------------------------------------------------------------

  @Test
  void theCompletionScriptKnowsEveryCommandAndFlag() {
    Run r = cli("completion");
    assertEquals(Cli.OK, r.code(), r.err());
    String script = r.out();
    assertTrue(script.contains("complete -F _complete_heroku-connect-operator") || script.contains("_complete_heroku-connect-operator"),
        script);
    for (String c : COMMANDS) assertTrue(script.contains("_picocli_heroku-connect-operator_" + c + "()"), c);
    for (String flag : List.of("--exit-code", "--filename", "--output-file", "--token-file", "--from-file", "--deletion-policy",
        "--observe", "--examples", "--status", "--delete", "--help", "--version")) {
      assertTrue(script.contains(flag), flag);
    }
  }

  /** bash itself, completing as a person would type: the commands, plan's flags, the values of -o. */
  @Test
  void bashCompletesCommandsFlagsAndFormats(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("completion.bash");
    Files.writeString(script, cli("completion").out());
    assertEquals(List.of("completion", "demo", "export", "plan", "run", "version"), complete(script, "heroku-connect-operator", ""));
    assertEquals(List.of("plan"), complete(script, "heroku-connect-operator", "pl"));
    assertTrue(complete(script, "heroku-connect-operator", "plan", "--").containsAll(
        List.of("--exit-code", "--output", "--output-file", "--filename", "--help")));
    assertEquals(List.of("json", "text", "yaml"), complete(script, "heroku-connect-operator", "plan", "-o", ""));
    assertEquals(List.of("json", "yaml"), complete(script, "heroku-connect-operator", "export", "-o", ""));
  }

  /** What bash offers for the last word. */
  static List<String> complete(Path script, String... words) throws Exception {
    StringBuilder w = new StringBuilder();
    for (String word : words) w.append(" '").append(word).append("'");
    String program = "source '" + script + "'\n"
        + "COMP_WORDS=(" + w + " )\nCOMP_CWORD=" + (words.length - 1) + "\nCOMP_LINE=\"${COMP_WORDS[*]}\"\nCOMP_POINT=${#COMP_LINE}\n"
        + "_complete_heroku-connect-operator\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    // stderr: outside a real completion, the script's compopt says it is not in one
    Process p = new ProcessBuilder("bash", "-c", program).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out.lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().distinct().toList();
  }
}
