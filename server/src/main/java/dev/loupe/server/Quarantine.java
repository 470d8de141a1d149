package dev.loupe.server;

import dev.loupe.core.logging.internal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code LOUPE_DATA_DIR/quarantine/}: what start-up could not use, kept rather than dropped.
 *
 * <ul>
 *   <li>{@code record-<seq>.bin}: a journal record that could not be applied (its body is malformed,
 *       too wide for the limits, or applying it threw). The file is the record in the journal's own
 *       layout ({@link Journal}) with the "LJRN" marker, whose header checksum leaves the journal's key
 *       out, so a tool can check and read it without the key.</li>
 *   <li>{@code damaged-<segment>-<offset>.bin}: the raw bytes of a journal stretch that held no
 *       intact record (a flipped byte, a bad sector).</li>
 * </ul>
 */
final class Quarantine {
  private final Path dir;

  Quarantine(Path dataDir) {
    this.dir = dataDir.resolve("quarantine");
  }

  Path dir() {
    return dir;
  }

  Path record(Journal.Record r) throws IOException {
    Files.createDirectories(dir);
    Path f = dir.resolve(String.format("record-%020d.bin", r.seq()));
    DurableFiles.writeAtomically(f, Journal.encode(r, null));
    return f;
  }

  Path damaged(Journal.Damage d) throws IOException {
    Files.createDirectories(dir);
    Path f = dir.resolve("damaged-" + d.segment().getFileName().toString().replace(".log", "") + "-" + d.from()
        + ".bin");
    DurableFiles.writeAtomically(f, d.bytes());
    return f;
  }
}
