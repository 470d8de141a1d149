package dev.loupe.server;

import java.io.IOException;
import java.util.Arrays;

/**
 * Runs the Loupe server: settings from the environment, overridden by flags
 * ({@code --port 9000 --window 5m ...}; {@code --help} lists them). Stops cleanly on SIGTERM or
 * Ctrl-C (a last checkpoint; open windows continue at the next start). Exit codes: 1 when the
 * server cannot start, 2 for a usage error.
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.println("Usage: loupe serve [options]   (or java dev.loupe.server.ServerMain [options])\n");
      System.out.println(ServerConfig.usage());
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
    LoupeServer server;
    try {
      server = LoupeServer.start(config);
    } catch (IOException | RuntimeException e) {
      System.err.println("loupe serve: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (IOException e) {
        System.err.println("loupe serve: shutdown: " + e.getMessage());
      }
    }, "loupe-shutdown"));
    if (config.generatedKeyFile() != null) {
      System.out.println("loupe serve: no CONTAINER_API_KEY set; send the key kept in " + config.generatedKeyFile()
          + " as the X-API-Key header (or set DISABLE_AUTH=true)");
    }
    System.out.println("loupe serve: listening on " + config.host() + ":" + server.port());
    System.out.flush();
    server.awaitStop();
  }
}
