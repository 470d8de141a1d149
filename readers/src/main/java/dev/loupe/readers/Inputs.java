package dev.loupe.readers;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening data files: existence checks with clear messages, progress counting, transparent gzip, strict UTF-8. */
final class Inputs {
  private Inputs() {}

  static boolean isGzip(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  /** Fails with a clear, typed exception unless {@code file} is a readable regular file. */
  static void checkFile(Path file, String what) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory, not " + what);
    }
  }

  /**
   * The file's bytes, decompressed when its name ends in {@code .gz}; the compressed bytes read
   * are added to {@code progress} (which may be null).
   */
  static InputStream open(Path file, Progress progress, String what) throws IOException {
    checkFile(file, what);
    InputStream in = Files.newInputStream(file);
    if (progress != null) {
      in = new Counting(in, progress);
    }
    if (!isGzip(file)) {
      return in;
    }
    try {
      return new GZIPInputStream(in, 1 << 16);
    } catch (ZipException | EOFException e) {
      in.close();
      throw new DataFormatException(file + ": the name ends in .gz but the file is not gzip-compressed ("
          + e.getMessage() + "); rename it or compress it", e);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * UTF-8 text that fails on malformed bytes instead of replacing them (a file in another encoding
   * would otherwise be profiled as garbage without a word), without a leading byte-order mark.
   */
  static Reader strictUtf8(InputStream in) {
    return new java.io.PushbackReader(strictUtf8KeepingBom(in), 1) {
      private boolean started;

      @Override
      public int read(char[] cbuf, int off, int len) throws IOException {
        if (!started) {
          started = true;
          int c = super.read();
          if (c == -1) {
            return -1;
          }
          if (c != '\uFEFF') {
            unread(c);
          }
        }
        return super.read(cbuf, off, len);
      }
    };
  }

  /** UTF-8 text that fails on malformed bytes; a byte-order mark stays (for text that does not start a file). */
  static Reader strictUtf8KeepingBom(InputStream in) {
    return new Utf8LineReader(in); // names the line of a bad byte, which a reader buffering ahead cannot
  }

  /** Counts bytes read into a {@link Progress}. */
  private static final class Counting extends FilterInputStream {
    private final Progress progress;

    Counting(InputStream in, Progress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        progress.addBytes(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        progress.addBytes(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      progress.addBytes(s);
      return s;
    }
  }
}
