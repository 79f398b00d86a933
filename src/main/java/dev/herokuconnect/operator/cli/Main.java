package dev.herokuconnect.operator.cli;

import dev.herokuconnect.operator.Version;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * {@code java -jar heroku-connect-operator.jar [run|demo|export|plan] ...}. No argument runs the
 * operator against the current kubeconfig (or in-cluster config).
 */
public final class Main {
  static final String USAGE = """
      heroku-connect-operator: manage Heroku Connect from Kubernetes.

      Usage:
        java -jar heroku-connect-operator.jar              run the operator (current kubeconfig or in-cluster)
        java -jar heroku-connect-operator.jar run          the same
        java -jar heroku-connect-operator.jar demo         the operator at work on an in-process Kubernetes API
                                                           and a fake Connect API; no cluster, no Heroku account
                                                           (in heroku-connect-operator.jar, not in the image's jar)
        java -jar heroku-connect-operator.jar export ...   write an existing connection as manifests (export --help)
        java -jar heroku-connect-operator.jar plan -f DIR  what the operator would do with these manifests, read-only
                                                           (plan --help)
        java -jar heroku-connect-operator.jar --version    the version (also: version)
        java -jar heroku-connect-operator.jar --help       this text

      The operator is configured by environment variables; see the README.
      """;

  private Main() {}

  public static void main(String[] args) throws Exception {
    Logging.configureFromEnv();
    String command = args.length == 0 ? "run" : args[0];
    String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
    int code = switch (command) {
      case "run" -> RunCommand.run(rest);
      case "demo" -> demo(rest);
      case "export" -> ExportCommand.run(rest);
      case "plan" -> PlanCommand.run(rest);
      case "-V", "--version", "version" -> {
        System.out.println(Version.get());
        yield 0;
      }
      case "-h", "--help", "help" -> {
        System.out.print(USAGE);
        yield 0;
      }
      default -> {
        System.err.println("unknown command '" + command + "'\n");
        System.err.print(USAGE);
        yield 2;
      }
    };
    if (code != Integer.MIN_VALUE) System.exit(code);
  }

  static final String DEMO_CLASS = "dev.herokuconnect.operator.cli.DemoCommand";
  static final String NO_DEMO = "the demo is not part of this image; use the full jar: make demo "
      + "(java -jar target/heroku-connect-operator.jar demo)";

  /**
   * The demo, the fake API and the mock Kubernetes server are left out of the runtime jar the
   * image runs, so the demo is looked up by name rather than linked.
   */
  static int demo(String[] args) throws Exception {
    Method run;
    try {
      run = Class.forName(DEMO_CLASS).getDeclaredMethod("run", String[].class);
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      System.err.println(NO_DEMO);
      return 2;
    }
    try {
      return (int) run.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof NoClassDefFoundError) { // a jar with the command but without the sandbox
        System.err.println(NO_DEMO);
        return 2;
      }
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }
}
