package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's CPU work runs on a thread at nice 19, so it takes only the CPU the requests leave (BackgroundPriority; the latency it buys is in docs/benchmarks.md). Read back from
 * /proc, where the operating system keeps it: Linux with util-linux's renice, as on CI.
 */
class BackgroundPriorityTest {

  private static void assumeLinuxWithRenice() {
    assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "Linux only (/proc/thread-self)");
    boolean renice = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "renice")));
    assumeTrue(renice, "util-linux's renice on the PATH");
  }

  @Test
  void aBackgroundThreadLowersItsOwnPriorityAndNoOtherThreads() throws Exception {
    assumeLinuxWithRenice();
    CompletableFuture<Integer> seen = new CompletableFuture<>();
    Thread t = BackgroundPriority.newThread(
        () -> seen.complete(BackgroundPriority.niceOf(Path.of("/proc/thread-self/stat"))), "loupe-test-background");
    t.start();
    assertEquals(BackgroundPriority.NICE, seen.get(20, TimeUnit.SECONDS));
    assertTrue(t.isDaemon());
    // the test's own thread (and so the process's other threads) kept theirs
    assertEquals(0, BackgroundPriority.niceOf(Path.of("/proc/thread-self/stat")));
  }

  @Test
  void theServersCheckpointThreadRunsAtTheLowestPriorityAndItsRotationThreadDoesNot(@TempDir Path dir) throws Exception {
    assumeLinuxWithRenice();
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1)).build();
    try (Ingest ingest = new Ingest(config, List.of(new IdempotentLocalWriter(dir.resolve("profiles"), "test")),
        new Metrics(), new Health())) {
      // start-up wrote a checkpoint on it (a new data directory gets one), so the thread exists
      Integer nice = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline && (nice == null || nice != BackgroundPriority.NICE)) {
        nice = niceOfThreadNamed("loupe-checkpoint"); // set by the thread itself as it starts
        Thread.sleep(50);
      }
      assertEquals(BackgroundPriority.NICE, nice, "the checkpoint thread's nice value in /proc");
      // the rotation thread holds the write lock while it seals and closes windows: never lowered
      assertEquals(0, niceOfThreadNamed("loupe-rotation"));
    }
  }

  @Test
  void readsTheNiceFieldAfterACommandNameWithSpacesAndParentheses(@TempDir Path dir) throws IOException {
    Path stat = dir.resolve("stat");
    // fields 1-19 of a real /proc/<pid>/task/<tid>/stat, the name (field 2) made awkward on purpose
    Files.writeString(stat, "4242 (a) b (c) S 1 4242 4242 0 -1 4194624 95 0 0 0 3 1 0 0 39 19 1 0 871 0\n");
    assertEquals(19, BackgroundPriority.niceOf(stat));
    Files.writeString(stat, "4242 (java) S 1 4242 4242 0 -1 4194624 95 0 0 0 3 1 0 0 20 0 41 0 871\n");
    assertEquals(0, BackgroundPriority.niceOf(stat));
    Files.writeString(stat, "4242 (java) S 1\n");
    assertNull(BackgroundPriority.niceOf(stat));
    assertNull(BackgroundPriority.niceOf(dir.resolve("missing")));
  }

  /** The nice value of this process's thread with that name in /proc, or null when there is none. */
  private static Integer niceOfThreadNamed(String name) throws IOException {
    String comm = name.length() > 15 ? name.substring(0, 15) : name; // the kernel keeps 15 bytes of a name
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
            return BackgroundPriority.niceOf(task.resolve("stat"));
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return null;
  }
}
