package dev.loupe.readers;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 text that knows where it is: bad bytes fail with {@link BadUtf8}, which names the
 * line (counted from 1) and the byte offset of the first bad byte. A reader that buffers ahead (a
 * CSV parser) would otherwise report the last record it returned, not the line that is broken.
 */
final class Utf8LineReader extends Reader {
  /** Invalid UTF-8 at a known place. */
  static final class BadUtf8 extends CharacterCodingException {
    final long line;
    final long offset;

    BadUtf8(long line, long offset) {
      this.line = line;
      this.offset = offset;
    }

    @Override
    public String getMessage() {
      return "invalid UTF-8 on line " + line + " (byte offset " + offset + ")";
    }
  }

  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
  private long consumed; // bytes decoded so far
  private long line = 1; // the line of the next char decoded
  private boolean eof;
  private boolean flushed; // the decoder is finished: every later read is the end

  Utf8LineReader(InputStream in) {
    this.in = in;
    bytes.flip();
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (flushed) {
      return -1;
    }
    CharBuffer out = CharBuffer.wrap(cbuf, off, len);
    while (out.position() == off) {
      if (!eof && bytes.remaining() < 4) {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
          eof = true;
        } else {
          bytes.position(bytes.position() + n);
        }
        bytes.flip();
      }
      int before = bytes.position();
      CoderResult r = decoder.decode(bytes, out, eof);
      consumed += bytes.position() - before;
      for (int i = off; i < out.position(); i++) {
        if (cbuf[i] == '\n') {
          line++;
        }
      }
      if (r.isError()) {
        throw new BadUtf8(line, consumed);
      }
      if (eof && !bytes.hasRemaining()) {
        CoderResult f = decoder.flush(out);
        if (f.isError()) {
          throw new BadUtf8(line, consumed);
        }
        flushed = true;
        if (out.position() == off) {
          return -1;
        }
        break;
      }
    }
    return out.position() - off;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
