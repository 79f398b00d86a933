package dev.herokuconnect.operator.cli;

import dev.herokuconnect.operator.Version;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What every command shares: the exit codes, the streams and environment a command runs with
 * (so that tests can give their own), and picocli set up the same way for all commands.
 */
public final class Cli {
  private Cli() {}

  /** Success; for plan: planned (with --exit-code: and nothing would change). */
  public static final int OK = 0;
  /** A failure while running: Kubernetes or Heroku Connect API, bad manifests, an unreadable file or setting. */
  public static final int ERROR = 1;
  /** Only plan --exit-code: something would change (terraform's code). */
  public static final int CHANGES = 2;
  /**
   * The command was called wrongly: an unknown flag or command, a missing or malformed argument.
   * 64 is EX_USAGE of sysexits.h: it cannot be mistaken for plan's 2 (changes), which picocli's
   * default usage code would be, nor for terraform's other codes.
   */
  public static final int USAGE = 64;

  /** The exit-code table, the same in every command's --help (and in the README). */
  static final String EXIT_CODES_HEADING = "%nExit codes:%n";
  static final Map<String, String> EXIT_CODES = exitCodes();

  private static Map<String, String> exitCodes() {
    Map<String, String> codes = new java.util.LinkedHashMap<>();
    codes.put(" " + OK, "success (plan: planned; with --exit-code: and nothing would change)");
    codes.put(" " + ERROR, "error while running: the Kubernetes or Heroku Connect API, bad manifests, a file or setting "
        + "that cannot be read, no token");
    codes.put(" " + CHANGES, "only plan --exit-code: something would change");
    codes.put(String.valueOf(USAGE), "usage error: an unknown flag or command, a missing or bad argument (EX_USAGE)");
    return java.util.Collections.unmodifiableMap(codes);
  }

  /** The environment and streams a command runs with. */
  record Io(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    static Io system() {
      return new Io(System.getenv(), System.in, System.out, System.err);
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Version.get()};
    }
  }

  /** The whole command tree, writing to {@code io}'s streams. */
  static CommandLine commandLine(Io io) {
    CommandLine cl = new CommandLine(new Main(io));
    cl.addSubcommand("run", new RunCommand(io));
    cl.addSubcommand("demo", new Main.Demo(io));
    cl.addSubcommand("export", new ExportCommand(io));
    cl.addSubcommand("plan", new PlanCommand(io));
    cl.addSubcommand("completion", new Main.Completion(io));
    cl.addSubcommand("version", new Main.VersionCommand(io));
    // set after the subcommands are added: picocli copies these to the commands present
    cl.setOut(new PrintWriter(new OutputStreamWriter(io.out(), StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(io.err(), StandardCharsets.UTF_8), true));
    cl.setUsageHelpWidth(100);
    documentExitCodes(cl);
    cl.setParameterExceptionHandler(Cli::usageError);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println(prefix(cmd) + "unexpected error: " + ex);
      ex.printStackTrace(cmd.getErr());
      return ERROR;
    });
    return cl;
  }

  private static void documentExitCodes(CommandLine c) {
    c.getCommandSpec().usageMessage().exitCodeListHeading(EXIT_CODES_HEADING).exitCodeList(EXIT_CODES);
    c.getSubcommands().values().forEach(Cli::documentExitCodes);
  }

  static int execute(Io io, String... args) {
    CommandLine cl = commandLine(io);
    try {
      return cl.execute(args);
    } finally {
      cl.getOut().flush();
      cl.getErr().flush();
    }
  }

  /** One line saying what is wrong, then the command's synopsis and where to read more. */
  static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    if (!(ex instanceof UnmatchedArgumentException) && !cmd.getUnmatchedArguments().isEmpty()) {
      // picocli checks required options before unknown ones; the unknown flag is the first thing to fix
      ex = new UnmatchedArgumentException(cmd, cmd.getUnmatchedArguments());
    }
    PrintWriter err = cmd.getErr();
    err.println(prefix(cmd) + message(ex));
    err.println();
    Help help = cmd.getHelp();
    err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return USAGE;
  }

  /**
   * picocli's message, except for arguments nobody asked for: picocli quotes them all, and one may
   * be a token typed where it does not belong ({@code --token hrku-...}). Only the first is named,
   * an option without its {@code =value}, a word only if it looks like a command.
   */
  static String message(ParameterException ex) {
    if (!(ex instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) return ex.getMessage();
    String first = u.getUnmatched().get(0);
    if (first.startsWith("-")) return "unknown option '" + first.replaceFirst("=.*", "") + "'";
    return first.matches("[a-z]+(-[a-z]+)*") && first.length() <= 30
        ? "unknown command or unexpected argument '" + first + "'"
        : "unexpected argument (not shown: it may be a secret)";
  }

  /** "plan: ", "export: ", or "heroku-connect-operator: " for the top level. */
  static String prefix(CommandLine cmd) {
    return cmd.getCommandName() + ": ";
  }
}
