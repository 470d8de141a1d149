package dev.loupe.readers;

import dev.loupe.core.DatasetProfile;
import dev.loupe.core.ProfileProperties;
import dev.loupe.core.ProfileView;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Profiles Arrow IPC data, the file format or the stream format (told apart by the file's first
 * bytes, the magic {@code ARROW1}). A file is read record batches in parallel: each thread opens
 * its own reader and takes the next batch not yet taken. A stream (or a gzipped file) is read in
 * order by this thread, and its batches are handed to the profiling threads by transferring their
 * buffers (no copy); a stream with dictionary-encoded columns is profiled on this thread, since a
 * stream may replace a dictionary between batches. Every batch goes to
 * {@link DatasetProfile#trackDataframe(VectorSchemaRoot, org.apache.arrow.vector.dictionary.DictionaryProvider)}
 * with its reader as the dictionary provider.
 */
final class ArrowIpcProfiler {
  private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

  private ArrowIpcProfiler() {}

  static ProfileView profile(Path file, int threads, ProfileProperties props, Progress progress) throws IOException {
    Inputs.checkFile(file, "an Arrow IPC file");
    if (Files.size(file) == 0) {
      throw new DataFormatException(file + ": the file is empty; expected an Arrow IPC file or stream");
    }
    try {
      if (!Inputs.isGzip(file) && startsWithMagic(file)) {
        return profileFile(file, threads, props, progress);
      }
      return profileStream(file, threads, props, progress);
    } catch (DataFormatException | FileSystemException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DataFormatException(file + ": not a readable Arrow IPC file or stream (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
    }
  }

  private static boolean startsWithMagic(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
    }
  }

  private static ProfileView profileFile(Path file, int threads, ProfileProperties props, Progress progress)
      throws IOException {
    int batches;
    try (RootAllocator allocator = new RootAllocator();
         FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
         ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
      batches = reader.getRecordBlocks().size();
    }
    AtomicInteger next = new AtomicInteger();
    int n = Math.max(1, Math.min(threads, batches));
    return Workers.parallel(n, props, (profile, cancelled) -> {
      try (RootAllocator allocator = new RootAllocator();
           FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
           ArrowFileReader reader = new ArrowFileReader(ch, allocator)) {
        List<ArrowBlock> blocks = reader.getRecordBlocks();
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        root.setRowCount(0);
        profile.trackDataframe(root, reader); // an empty file still names its columns
        for (int b; !cancelled.getAsBoolean() && (b = next.getAndIncrement()) < batches; ) {
          ArrowBlock block = blocks.get(b);
          try {
            reader.loadRecordBatch(block);
          } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file + ", record batch " + b + " at byte offset " + block.getOffset()
                + ": cannot read it (" + e.getMessage() + ")", e);
          }
          profile.trackDataframe(root, reader);
          if (progress != null) {
            progress.addBytes(block.getMetadataLength() + block.getBodyLength());
            progress.addRows(root.getRowCount());
          }
        }
      }
    });
  }

  private static ProfileView profileStream(Path file, int threads, ProfileProperties props, Progress progress)
      throws IOException {
    try (InputStream raw = Inputs.open(file, progress, "an Arrow IPC file");
         BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
         RootAllocator allocator = new RootAllocator()) {
      in.mark(8);
      byte[] head = in.readNBytes(8);
      if (!(head.length == 8 && Arrays.equals(head, 0, 6, MAGIC, 0, 6))) {
        in.reset(); // the stream format; otherwise a (gzipped) file: its stream part follows the 8-byte magic
      }
      try (ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        boolean dictionaries = root.getSchema().getFields().stream().anyMatch(ArrowIpcProfiler::hasDictionary);
        if (threads <= 1 || dictionaries) {
          DatasetProfile profile = new DatasetProfile(props);
          profile.trackDataframe(root, reader);
          while (reader.loadNextBatch()) {
            profile.trackDataframe(root, reader);
            if (progress != null) {
              progress.addRows(root.getRowCount());
            }
          }
          return profile.view();
        }
        boolean[] first = {true};
        Workers.Source<VectorSchemaRoot> source = () -> {
          if (first[0]) {
            first[0] = false;
            return transfer(root, allocator); // names the columns even when there is no batch
          }
          return reader.loadNextBatch() ? transfer(root, allocator) : null;
        };
        return Workers.pipeline(threads, props, source, () -> new Workers.Sink<>() {
          @Override
          public void accept(VectorSchemaRoot batch, DatasetProfile profile) {
            try (batch) {
              profile.trackDataframe(batch);
              if (progress != null) {
                progress.addRows(batch.getRowCount());
              }
            }
          }

          @Override
          public void discard(VectorSchemaRoot batch) {
            batch.close();
          }
        });
      }
    }
  }

  private static boolean hasDictionary(Field f) {
    return f.getDictionary() != null || f.getChildren().stream().anyMatch(ArrowIpcProfiler::hasDictionary);
  }

  /** The batch's buffers moved into a new root the reader no longer touches. */
  private static VectorSchemaRoot transfer(VectorSchemaRoot root, BufferAllocator allocator) {
    List<FieldVector> moved = new ArrayList<>();
    for (FieldVector v : root.getFieldVectors()) {
      TransferPair tp = v.getTransferPair(allocator);
      tp.transfer();
      moved.add((FieldVector) tp.getTo());
    }
    return new VectorSchemaRoot(root.getSchema(), moved, root.getRowCount());
  }
}
