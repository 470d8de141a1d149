package dev.loupe.server;

import dev.loupe.server.internal.ServerLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;

/**
 * Runs the Loupe server: settings from the environment, overridden by flags
 * ({@code --port 9000 --window 5m ...}; {@code --help} lists them). Stops cleanly on SIGTERM or
 * Ctrl-C (a last checkpoint; open windows continue at the next start). Exit codes: 1 when the
 * server cannot start, 2 for a usage error. {@code loupe serve} starts the server the same way.
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    PrintWriter out = new PrintWriter(System.out, true);
    if (ServerLauncher.wantsHelp(Arrays.asList(args))) {
      out.println(ServerLauncher.help("Usage: loupe serve [options]   (or java dev.loupe.server.ServerMain [options])"));
      return;
    }
    ServerConfig config;
    try {
      config = ServerConfig.fromArgs(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("loupe serve: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      ServerLauncher.run(config, out);
    } catch (IOException | RuntimeException e) {
      System.err.println("loupe serve: " + e.getMessage());
      System.exit(1);
    }
  }
}
