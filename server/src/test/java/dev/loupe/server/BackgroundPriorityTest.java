package dev.loupe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint's merge and encoding run on a thread at nice 19 ({@link BackgroundPriority}), so
 * requests preempt it; the checkpoint it makes is still written and read back whole.
 */
@EnabledOnOs(OS.LINUX)
class BackgroundPriorityTest {

  /** Where renice is missing the server runs the checkpoint at normal priority (and logs why): nothing to test. */
  @BeforeEach
  void reniceIsThere() {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      found |= Files.isExecutable(Path.of(dir, "renice"));
    }
    Assumptions.assumeTrue(found, "no renice on the PATH");
  }

  @Test
  void aThreadThatLowersItselfRunsAtNice19AndOthersDoNot() throws Exception {
    int before = BackgroundPriority.niceOfCurrentThread();
    Assumptions.assumeTrue(before < BackgroundPriority.NICE, "the build already runs at nice 19");
    CompletableFuture<int[]> lowered = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        String why = BackgroundPriority.lowerCurrentThread();
        assertNull(why, why);
        lowered.complete(new int[] {BackgroundPriority.niceOfCurrentThread()});
      } catch (Throwable e) { // handed to the test thread, which fails on it
        lowered.completeExceptionally(e);
      }
    });
    t.start();
    assertEquals(BackgroundPriority.NICE, lowered.get(30, TimeUnit.SECONDS)[0]);
    assertEquals(before, BackgroundPriority.niceOfCurrentThread(), "only the thread that asked is lowered");
  }

  @Test
  void theCheckpointIsMadeOnALowPriorityThreadAndReadsBackWhole(@TempDir Path dir) throws Exception {
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(TestHttp.KEY)
        .dataDir(dir.resolve("data")).fileSystemRoot(dir.resolve("profiles")).window(Duration.ofHours(1))
        .warmUp(false).build();
    try (Ingest ingest = new Ingest(config, List.of(new IdempotentLocalWriter(dir.resolve("profiles"), "test")),
        new Metrics(), new Health())) {
      byte[] body = "{\"datasetId\": \"d\", \"multiple\": {\"columns\": [\"a\"], \"data\": [[1], [2], [3]]}}"
          .getBytes(StandardCharsets.UTF_8);
      ingest.awaitDurable(ingest.logJson(LogRequest.parse(body), body));
      ingest.checkpointNow();
      List<Integer> nice = new ArrayList<>();
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          String stat;
          try {
            stat = Files.readString(task.resolve("stat"));
          } catch (java.io.IOException gone) { // a thread that ended meanwhile
            continue;
          }
          if (stat.contains("(loupe-checkpoin)")) { // thread names are cut at 15 characters
            nice.add(Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]));
          }
        }
      }
      // this Ingest's checkpoint thread, and any an earlier test's closed Ingest has not ended yet: all at nice 19
      assertTrue(!nice.isEmpty() && nice.stream().allMatch(n -> n == BackgroundPriority.NICE), nice.toString());
      Checkpoint ck = Checkpoint.read(dir.resolve("data").resolve("checkpoint.bin"));
      assertEquals(1, ck.open.size());
      assertEquals(3L, ck.open.get(0).view().columns().get("a").counts().n());
    }
  }
}
