package dev.loupe.server.internal;

import dev.loupe.server.LoupeServer;
import dev.loupe.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * Runs the server from its settings until SIGTERM or Ctrl-C: the one way both front ends start it,
 * {@code java dev.loupe.server.ServerMain} and {@code loupe serve}. Each front end keeps its own
 * error lines and exit codes (a contract of each); what a person sees while the server runs is the
 * same from both.
 *
 * <p>Internal: used by loupe-server and loupe-cli; not user API.
 */
public final class ServerLauncher {
  private ServerLauncher() {}

  /** True when the arguments ask for help ({@code --help} or {@code -h}, anywhere). */
  public static boolean wantsHelp(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }

  /** The help page: the front end's usage line, then every setting (environment variable, flag, default). */
  public static String help(String usageLine) {
    return usageLine + "\n\n" + ServerConfig.usage();
  }

  /**
   * Starts the server, closes it cleanly at JVM shutdown (a last checkpoint; open windows continue at
   * the next start), prints where the generated API key is kept (when one is) and the address
   * listened on, and blocks until the server has stopped.
   *
   * @throws IOException when the server cannot start (the front end says so and exits 1)
   */
  public static void run(ServerConfig config, PrintWriter out) throws IOException, InterruptedException {
    LoupeServer server = LoupeServer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("loupe serve: shutdown: " + e.getMessage());
      }
    }, "loupe-shutdown"));
    if (config.generatedKeyFile() != null) {
      out.println("loupe serve: no CONTAINER_API_KEY set; send the key kept in " + config.generatedKeyFile()
          + " as the X-API-Key header (or set DISABLE_AUTH=true)");
    }
    out.println("loupe serve: listening on " + config.host() + ":" + server.port());
    out.flush();
    server.awaitStop();
  }
}
