package dev.loupe.cli;

import dev.loupe.server.ServerConfig;
import dev.loupe.server.internal.ServerLauncher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    description = "Runs the Loupe server (docs/server.md): whylogs-container compatible HTTP ingestion with a " +
        "profile per dataset per time window, written to a local directory or uploaded to S3. " +
        "Settings come from environment variables, overridden by flags; 'loupe serve --help' lists " +
        "them.",
    footerHeading = "%nExit codes:%n",
    footer = {"  0  stopped cleanly (SIGTERM, Ctrl-C)", "  1  the server could not start", Main.EXIT_2})
final class ServeCommand implements Callable<Integer> {
  // every argument, in the order given, for the server's own parser (environment and flags share one
  // definition); Main makes picocli pass unknown options through here instead of refusing them, so
  // "--port 9000" keeps its value beside it
  @Parameters(hidden = true, arity = "0..*")
  List<String> args = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> all = args;
    if (ServerLauncher.wantsHelp(all)) {
      spec.commandLine().getOut().println(ServerLauncher.help("Usage: loupe serve [options]"));
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
    ServerLauncher.run(config, spec.commandLine().getOut()); // a failure to start is reported by Main: exit 1
    return 0;
  }
}
