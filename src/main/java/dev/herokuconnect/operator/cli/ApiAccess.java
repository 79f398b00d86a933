package dev.herokuconnect.operator.cli;

import picocli.CommandLine.Option;

/** The options of the commands that call the Connect API themselves (plan, export): one definition, mixed in. */
final class ApiAccess {
  @Option(names = "--token-file", paramLabel = "FILE", description = "read the token from FILE (default: HEROKU_API_KEY)")
  String tokenFile;
  @Option(names = "--discovery-url", paramLabel = "URL",
      description = "default: HEROKU_CONNECT_DISCOVERY_URL, else https://hc-central.heroku.com")
  String discoveryUrl;
}
