package dev.herokuconnect.operator.cli;

import java.util.Arrays;

/**
 * {@code java -jar heroku-connect-operator.jar [run|demo|export] ...}. No argument runs the
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
        java -jar heroku-connect-operator.jar export ...    write an existing connection as manifests (export --help)
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
      case "demo" -> DemoCommand.run(rest);
      case "export" -> ExportCommand.run(rest);
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
}
