package dev.loupe.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.Schema;

/**
 * Walks the framing of an Arrow IPC stream held in memory, before any Arrow reader sees it, so
 * that no length written in the bytes is trusted for an allocation. Arrow's reader allocates a
 * message's metadata and body from the lengths the stream declares; eight bytes can declare
 * 600 MB. Here every declared length is checked against the bytes that are actually there.
 *
 * <pre>
 * stream  = message* end
 * message = [0xFFFFFFFF] int32 metadataLength (little-endian)  metadata (flatbuffer Message)  body
 *           (the continuation marker is absent in streams written before Arrow 0.15)
 * body    = Message.bodyLength bytes
 * end     = [0xFFFFFFFF] int32 0, or the end of the bytes
 * </pre>
 *
 * It also counts the schema's columns (with nested children), so a request can be refused on
 * its width before any vector exists.
 */
final class ArrowFraming {
  private static final int CONTINUATION = 0xFFFFFFFF;

  private ArrowFraming() {}

  /**
   * What the framing says: the number of columns of the schema (nested fields included), of record
   * batches and of dictionary batches.
   */
  record Shape(int columns, int recordBatches, int dictionaryBatches) {}

  /** Checks the framing; a {@link BadRequestException} (400) names what is wrong and where. */
  static Shape check(byte[] body) {
    if (body.length == 0) {
      throw bad("the body is empty");
    }
    if (body[0] == '{' || body[0] == '[') {
      throw bad("the body looks like JSON, not an Arrow IPC stream; send JSON to POST /logs, and to "
          + "/logs/arrow the bytes of an ArrowStreamWriter (pyarrow: pa.ipc.new_stream)");
    }
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    int columns = -1;
    int recordBatches = 0;
    int dictionaryBatches = 0;
    while (b.remaining() > 0) {
      int at = b.position();
      if (b.remaining() < 4) {
        throw bad("stray " + b.remaining() + " byte(s) at offset " + at);
      }
      int len = b.getInt();
      if (len == CONTINUATION) {
        if (b.remaining() < 4) {
          throw bad("the stream ends inside a message header at offset " + at);
        }
        len = b.getInt();
      }
      if (len == 0) {
        break; // end of stream
      }
      if (len < 0 || len > b.remaining()) {
        throw bad("the message at offset " + at + " declares " + Integer.toUnsignedString(len)
            + " bytes of metadata but only " + b.remaining() + " follow");
      }
      ByteBuffer meta = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
      long bodyLength;
      byte type;
      Message m;
      try {
        m = Message.getRootAsMessage(meta);
        bodyLength = m.bodyLength();
        type = m.headerType();
      } catch (RuntimeException e) {
        throw bad("the message at offset " + at + " has unreadable metadata (" + e + ")");
      }
      b.position(b.position() + len);
      if (bodyLength < 0 || bodyLength > b.remaining()) {
        throw bad("the message at offset " + at + " declares a body of " + bodyLength + " bytes but only "
            + b.remaining() + " follow");
      }
      if (type == MessageHeader.Schema) {
        if (columns >= 0) {
          throw bad("a second schema at offset " + at);
        }
        try {
          Schema s = (Schema) m.header(new Schema());
          if (s == null) {
            throw bad("the schema message at offset " + at + " is empty");
          }
          columns = countFields(s, len);
        } catch (RuntimeException e) {
          if (e instanceof BadRequestException bre) {
            throw bre;
          }
          throw bad("the schema at offset " + at + " is unreadable (" + e + ")");
        }
      } else if (type != MessageHeader.RecordBatch && type != MessageHeader.DictionaryBatch) {
        throw bad("the message at offset " + at + " is of type " + type + ", not a schema, dictionary or record batch");
      } else if (columns < 0) {
        throw bad("the stream does not start with a schema (a record batch at offset " + at + ")");
      } else if (type == MessageHeader.RecordBatch) {
        recordBatches++;
      } else {
        dictionaryBatches++;
      }
      b.position(b.position() + (int) bodyLength);
    }
    if (columns < 0) {
      throw bad("the stream holds no schema");
    }
    return new Shape(columns, recordBatches, dictionaryBatches);
  }

  /** Every field takes bytes of the metadata, so a count above its length is garbage, not a wide schema. */
  private static int countFields(Schema s, int metadataBytes) {
    int[] n = {0};
    if (s.fieldsLength() < 0 || s.fieldsLength() > metadataBytes / 4) {
      throw bad("the schema declares " + s.fieldsLength() + " fields in " + metadataBytes + " bytes");
    }
    for (int i = 0; i < s.fieldsLength(); i++) {
      countField(s.fields(i), 0, n, metadataBytes);
    }
    return n[0];
  }

  private static void countField(org.apache.arrow.flatbuf.Field f, int depth, int[] n, int metadataBytes) {
    if (depth > 64) {
      throw bad("fields nested more than 64 deep");
    }
    if (++n[0] > metadataBytes / 4 || f.childrenLength() < 0 || f.childrenLength() > metadataBytes / 4) {
      throw bad("the schema declares more fields than its " + metadataBytes + " bytes can hold");
    }
    for (int i = 0; i < f.childrenLength(); i++) {
      countField(f.children(i), depth + 1, n, metadataBytes);
    }
  }

  private static BadRequestException bad(String what) {
    return new BadRequestException(400, "the body is not a readable Arrow IPC stream: " + what
        + "; send the bytes of an ArrowStreamWriter (pyarrow: pa.ipc.new_stream)");
  }
}
