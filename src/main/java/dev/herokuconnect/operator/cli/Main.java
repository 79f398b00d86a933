package dev.herokuconnect.operator.cli;

import dev.herokuconnect.operator.Version;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar heroku-connect-operator.jar [run|demo|export|plan|completion|version] ...}. No
 * argument runs the operator against the current kubeconfig (or in-cluster config).
 */
@Command(name = Main.NAME, mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
    description = {
        "Manage Heroku Connect from Kubernetes. Without a command: run (the operator, on the current kubeconfig or "
            + "in-cluster).",
        "",
        "Run it as java -jar heroku-connect-operator.jar (or heroku-connect-operator-runtime.jar, the image's jar); "
            + "with alias heroku-connect-operator='java -jar /path/to/heroku-connect-operator.jar' and "
            + "source <(heroku-connect-operator completion), bash and zsh complete its commands and flags.",
        ""},
    commandListHeading = "Commands:%n",
    footer = {"", "The operator is configured by environment variables; see the README. Every command has --help."})
public final class Main implements Callable<Integer> {
  static final String NAME = "heroku-connect-operator";

  private final Cli.Io io;

  Main(Cli.Io io) {
    this.io = io;
  }

  public static void main(String[] args) {
    Logging.configureFromEnv();
    int code = Cli.execute(Cli.Io.system(), args);
    if (code != Integer.MIN_VALUE) System.exit(code); // MIN_VALUE: run's shutdown hook is running; let it finish
  }

  /** No command: run. */
  @Override
  public Integer call() throws Exception {
    return new RunCommand(io).call();
  }

  @Command(name = "version", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
      description = "Prints the version (the same as --version).")
  static final class VersionCommand implements Callable<Integer> {
    private final Cli.Io io;

    VersionCommand(Cli.Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      io.out().println(Version.get());
      return Cli.OK;
    }
  }

  @Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
      description = {
          "Prints a completion script for bash and zsh: its commands, flags and the values of -o.",
          "",
          "  alias heroku-connect-operator='java -jar /path/to/heroku-connect-operator.jar'",
          "  source <(heroku-connect-operator completion)    # in ~/.bashrc or ~/.zshrc",
          "",
          "(zsh: the script loads bashcompinit itself.)"})
  static final class Completion implements Callable<Integer> {
    private final Cli.Io io;
    @Spec CommandSpec spec;

    Completion(Cli.Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      io.out().print(AutoComplete.bash(NAME, spec.root().commandLine()));
      return Cli.OK;
    }
  }

  static final String DEMO_CLASS = "dev.herokuconnect.operator.cli.DemoCommand";
  static final String NO_DEMO = "the demo is not part of this image; use the full jar: make demo "
      + "(java -jar target/heroku-connect-operator.jar demo)";

  /** demo's options live here, so that the runtime jar, which has no demo, still parses and documents them. */
  @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Cli.VersionProvider.class,
      description = {
          "Starts an in-process Kubernetes API and the fake Heroku Platform and Connect APIs with the app 'acme-crm' "
              + "and no Heroku Connect add-on, applies the manifests in examples/ (or DIR), runs the operator (which "
              + "creates the add-on: spec.addon), completes the Salesforce authorization when asked, prints the objects "
              + "until all are Ready, then the request log of both APIs. No cluster, no Heroku account.",
          "Only in heroku-connect-operator.jar, not in the image's jar.", ""})
  static final class Demo implements Callable<Integer> {
    private final Cli.Io io;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--examples", paramLabel = "DIR", description = "the manifests to apply (default: examples/, else the jar's copy)")
    Path examples;

    @Option(names = "--status", description = "print the status of every object at the end")
    boolean status;

    @Option(names = "--delete", paramLabel = "Orphan|Delete",
        description = "at the end, delete the HerokuMappings and the HerokuConnection with spec.addon.deletionPolicy set to "
            + "this, and print what the deletion sent")
    String delete;

    Demo(Cli.Io io) {
      this.io = io;
    }

    @Override
    public Integer call() throws Exception {
      List<String> args = new ArrayList<>();
      if (examples != null) args.addAll(List.of("--examples", examples.toString()));
      if (status) args.add("--status");
      if (delete != null) {
        if (!List.of("Orphan", "Delete").contains(delete)) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--delete is Orphan or Delete, not '"
              + delete + "'");
        }
        args.addAll(List.of("--delete", delete));
      }
      return demo(args.toArray(String[]::new), io);
    }
  }

  /**
   * The demo, the fake API and the mock Kubernetes server are left out of the runtime jar the
   * image runs, so the demo is looked up by name rather than linked.
   */
  static int demo(String[] args, Cli.Io io) throws Exception {
    Method run;
    try {
      run = Class.forName(DEMO_CLASS).getDeclaredMethod("run", String[].class);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      io.err().println(NO_DEMO);
      return Cli.ERROR;
    }
    try {
      return (int) run.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof NoClassDefFoundError) { // a jar with the command but without the sandbox
        io.err().println(NO_DEMO);
        return Cli.ERROR;
      }
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }
}
