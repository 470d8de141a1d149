package dev.loupe.readers;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Profiling on several threads: each thread feeds its own {@link DatasetProfile} (they are not
 * thread-safe, by design) and the views are merged at the end, which is the same reduce that
 * combines the work of separate processes. Two shapes:
 * <ul>
 *   <li>{@link #parallel}: every thread pulls independent pieces itself (Parquet row groups,
 *       Arrow file record batches), each through its own reader;</li>
 *   <li>{@link #pipeline}: one reader (the calling thread) parses a sequential input into chunks
 *       and a bounded queue hands them to the N - 1 profiling threads (CSV, JSON lines, Arrow
 *       streams).
 *       The queue bound keeps the heap flat whatever the input size.</li>
 * </ul>
 * The first failure stops the others and is rethrown as it was.
 */
final class Workers {
  private Workers() {}

  /** The work of one thread, given its profile and a flag that turns true when another thread failed. */
  interface Body {
    void run(DatasetProfile profile, BooleanSupplier cancelled) throws IOException;
  }

  /** Reads the next chunk of a sequential input; null at the end. */
  interface Source<T> {
    T next() throws IOException;
  }

  /** Profiles chunks on one thread; holds that thread's reusable buffers. */
  interface Sink<T> extends AutoCloseable {
    void accept(T chunk, DatasetProfile profile) throws IOException;

    /** Releases a chunk that will not be profiled (after a failure). */
    default void discard(T chunk) {}

    @Override
    default void close() throws IOException {}
  }

  interface SinkFactory<T> {
    Sink<T> create() throws IOException;
  }

  static ProfileView parallel(int threads, ProfileProperties props, Body body) throws IOException {
    if (threads <= 1) {
      DatasetProfile p = new DatasetProfile(props);
      body.run(p, () -> false);
      return p.view();
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ProfileView[] views = new ProfileView[threads];
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int w = i;
      started.add(start(w, () -> {
        DatasetProfile p = new DatasetProfile(props);
        try {
          body.run(p, () -> failure.get() != null);
          views[w] = p.view();
        } catch (IOException | RuntimeException e) {
          failure.compareAndSet(null, e);
        } catch (Error e) {
          failure.compareAndSet(null, e); // recorded for the caller, which rethrows it once the others stopped
          throw e;
        }
      }));
    }
    joinAll(started);
    return result(failure, views);
  }

  private static final Object END = new Object();

  static <T> ProfileView pipeline(int threads, ProfileProperties props, Source<T> source, SinkFactory<T> sinks)
      throws IOException {
    if (threads <= 1) {
      DatasetProfile p = new DatasetProfile(props);
      try (Sink<T> sink = sinks.create()) {
        for (T chunk; (chunk = source.next()) != null; ) {
          sink.accept(chunk, p);
        }
      } catch (IOException | RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
      return p.view();
    }
    // the calling thread parses, so N threads in all are this one and N - 1 profiling threads
    threads = threads - 1;
    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2 * threads);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ProfileView[] views = new ProfileView[threads];
    List<Thread> started = new ArrayList<>();
    List<Sink<T>> allSinks = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        allSinks.add(sinks.create());
      }
    } catch (IOException | RuntimeException e) {
      closeAll(allSinks, e);
      throw e;
    }
    for (int i = 0; i < threads; i++) {
      int w = i;
      Sink<T> sink = allSinks.get(i);
      started.add(start(w, () -> {
        DatasetProfile p = new DatasetProfile(props);
        try {
          for (Object o; (o = queue.take()) != END; ) {
            @SuppressWarnings("unchecked")
            T chunk = (T) o;
            if (failure.get() != null) {
              sink.discard(chunk);
            } else {
              sink.accept(chunk, p);
            }
          }
          views[w] = p.view();
        } catch (IOException | RuntimeException | InterruptedException e) {
          failure.compareAndSet(null, e);
          drain(queue, sink);
        } catch (Error e) {
          failure.compareAndSet(null, e); // recorded for the caller, which rethrows it once the others stopped
          drain(queue, sink);
          throw e;
        }
      }));
    }
    try {
      for (T chunk; failure.get() == null && (chunk = source.next()) != null; ) {
        while (!queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
          if (failure.get() != null) {
            allSinks.get(0).discard(chunk);
            break;
          }
        }
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      failure.compareAndSet(null, e);
    } catch (Error e) {
      // recorded, not swallowed: result() rethrows it after the workers are stopped and the sinks closed
      failure.compareAndSet(null, e);
    }
    try {
      for (int i = 0; i < threads; i++) {
        while (!queue.offer(END, 50, TimeUnit.MILLISECONDS)) {
          if (failure.get() != null) {
            drain(queue, allSinks.get(0));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    }
    joinAll(started);
    drain(queue, allSinks.get(0));
    closeAll(allSinks, null);
    return result(failure, views);
  }

  @SuppressWarnings("unchecked")
  private static <T> void drain(BlockingQueue<Object> queue, Sink<T> sink) {
    for (Object o; (o = queue.poll()) != null; ) {
      if (o != END) {
        sink.discard((T) o);
      } else {
        queue.offer(END); // another thread's end marker: put it back
        return;
      }
    }
  }

  private static <T> void closeAll(List<Sink<T>> sinks, Exception primary) throws IOException {
    IOException first = null;
    for (Sink<T> s : sinks) {
      try {
        s.close();
      } catch (Exception e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (first == null) {
          first = e instanceof IOException io ? io : new IOException(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static Thread start(int worker, Runnable r) {
    Thread t = new Thread(r, "loupe-profile-" + worker);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void joinAll(List<Thread> threads) throws IOException {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static ProfileView result(AtomicReference<Throwable> failure, ProfileView[] views) throws IOException {
    Throwable e = failure.get();
    if (e != null) {
      if (e instanceof IOException io) {
        throw io;
      }
      if (e instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      if (e instanceof Error err) {
        throw err;
      }
      throw new IOException(e);
    }
    ProfileView merged = ProfileView.empty();
    for (ProfileView v : views) {
      merged = merged.merge(v);
    }
    return merged;
  }
}
