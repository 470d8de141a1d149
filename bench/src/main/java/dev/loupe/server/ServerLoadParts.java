package dev.loupe.server;

import dev.loupe.bench.ServerLoad;
import dev.loupe.core.DatasetProfile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * The server's ingest work without HTTP, the journal or other threads, on one thread in CPU time:
 * {@link ServerLoad}'s JSON bodies (1,000 rows x 10 columns) parsed into columns
 * ({@link LogRequest#parse}, core's {@code ValueTable}) and tracked ({@link LogRequest#trackInto})
 * into long-lived profiles as the server's window stripes are, against the same 10 columns
 * tracked from Arrow batches ({@link DatasetProfile#trackDataframe}), alternately, round after
 * round. It says what a JSON value costs against an Arrow value in tracking, and what parsing adds;
 * what {@link ServerLoad} measures beyond that is HTTP, the journal, the scheduler and the JIT. In
 * package {@code dev.loupe.server} for the package-private request classes.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp bench/target/loupe-benchmarks.jar \
 *   dev.loupe.server.ServerLoadParts [rounds=12] [profiles=4] [arrowRows=10000]
 * </pre>
 */
public final class ServerLoadParts {
  private static final int COLUMNS = 10;
  private static final int REQUESTS_PER_ROUND = 1000;

  private ServerLoadParts() {}

  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int stripes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int arrowRows = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    byte[][] json = new byte[8][];
    for (int i = 0; i < json.length; i++) {
      json[i] = ServerLoad.jsonBody("parts", 1000, i);
    }
    byte[] arrow = ServerLoad.arrowBody(arrowRows, 1);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<Double> parse = new ArrayList<>();
    List<Double> track = new ArrayList<>();
    List<Double> arrowTrack = new ArrayList<>();
    long checksum = 0;
    try (BufferAllocator alloc = new RootAllocator()) {
      for (int round = -2; round < rounds; round++) { // two rounds of warm-up
        DatasetProfile[] profiles = new DatasetProfile[stripes];
        DatasetProfile[] arrowProfiles = new DatasetProfile[stripes];
        for (int s = 0; s < stripes; s++) {
          profiles[s] = new DatasetProfile();
          arrowProfiles[s] = new DatasetProfile();
        }
        long parseNs = 0;
        long trackNs = 0;
        long jsonRows = 0;
        for (int k = 0; k < REQUESTS_PER_ROUND; k++) {
          long t0 = mx.getCurrentThreadCpuTime();
          LogRequest req = LogRequest.parse(json[k % json.length]);
          long t1 = mx.getCurrentThreadCpuTime();
          req.trackInto(profiles[k % stripes]);
          jsonRows += req.rows();
          req.release();
          long t2 = mx.getCurrentThreadCpuTime();
          parseNs += t1 - t0;
          trackNs += t2 - t1;
        }
        long arrowNs = 0;
        long arrowTotal = 0;
        for (int k = 0; arrowTotal < jsonRows; k++) {
          long t0 = mx.getCurrentThreadCpuTime();
          try (ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(arrow), alloc)) {
            while (r.loadNextBatch()) {
              arrowProfiles[k % stripes].trackDataframe(r.getVectorSchemaRoot(), r);
              arrowTotal += r.getVectorSchemaRoot().getRowCount();
            }
          }
          arrowNs += mx.getCurrentThreadCpuTime() - t0;
        }
        for (int s = 0; s < stripes; s++) {
          checksum += profiles[s].view().columns().size() + arrowProfiles[s].view().columns().size();
        }
        if (round >= 0) {
          parse.add(parseNs / (double) jsonRows);
          track.add(trackNs / (double) jsonRows);
          arrowTrack.add(arrowNs / (double) arrowTotal);
        }
      }
    }
    System.out.printf("one thread, CPU time, %d profiles, %d rounds of %,d JSON requests (1,000 rows) and as many rows "
        + "as %,d-row Arrow batches; medians (quartiles) per row, per value = / %d%n", stripes, rounds,
        REQUESTS_PER_ROUND, arrowRows, COLUMNS);
    print("JSON parse (LogRequest.parse)", parse);
    print("JSON track (ValueTable.trackInto)", track);
    print("Arrow track (trackDataframe, decode incl.)", arrowTrack);
    System.out.printf("JSON track / Arrow track: %.2f (checksum %d)%n", median(track) / median(arrowTrack), checksum);
  }

  private static void print(String what, List<Double> ns) {
    List<Double> s = new ArrayList<>(ns);
    Collections.sort(s);
    System.out.printf("  %-44s %6.0f ns/row (%4.0f-%4.0f), %5.1f ns/value%n", what, median(s), s.get(s.size() / 4),
        s.get(s.size() * 3 / 4), median(s) / COLUMNS);
  }

  private static double median(List<Double> ns) {
    List<Double> s = new ArrayList<>(ns);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }
}
