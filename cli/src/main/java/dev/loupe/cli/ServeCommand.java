package dev.loupe.cli;

import dev.loupe.server.LoupeServer;
import dev.loupe.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

@Command(
    name = "serve",
    description = "Runs the Loupe server (docs/server.md): whylogs-container compatible HTTP ingestion with a " +
        "profile per dataset per time window, written to a local directory or uploaded to S3. " +
        "Settings come from environment variables, overridden by flags; 'loupe serve --help' lists " +
        "them.",
    footerHeading = "%nExit codes:%n",
    footer = {"  0  stopped cleanly (SIGTERM, Ctrl-C)", "  1  the server could not start", Main.EXIT_2})
final class ServeCommand implements Callable<Integer> {
  // the server's own option parser reads these, so that environment and flags share one definition
  @Unmatched
  List<String> args = new ArrayList<>();

  @Parameters(hidden = true, arity = "0..*")
  List<String> positional = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> all = new ArrayList<>(args);
    all.addAll(positional);
    if (all.contains("--help") || all.contains("-h")) {
      spec.commandLine().getOut().println("Usage: loupe serve [options]\n\n" + ServerConfig.usage());
      spec.commandLine().getOut().flush();
      return 0;
    }
    ServerConfig config;
    try {
      config = ServerConfig.fromArgs(all.toArray(String[]::new), System.getenv());
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("loupe: error: " + e.getMessage() + " (see 'loupe serve --help')");
      spec.commandLine().getErr().flush();
      return 2;
    }
    LoupeServer server = LoupeServer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("loupe serve: shutdown: " + e.getMessage());
      }
    }, "loupe-shutdown"));
    if (config.generatedKeyFile() != null) {
      spec.commandLine().getOut().println("loupe serve: no CONTAINER_API_KEY set; send the key kept in "
          + config.generatedKeyFile() + " as the X-API-Key header (or set DISABLE_AUTH=true)");
    }
    spec.commandLine().getOut().println("loupe serve: listening on " + config.host() + ":" + server.port());
    spec.commandLine().getOut().flush();
    server.awaitStop();
    return 0;
  }
}
