package dev.loupe.readers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;

/**
 * A flat INT32 or INT64 column chunk (integers, dates, timestamps) read page by page without
 * Parquet's column reader, whose RLE/bit-packing decoder hands out dictionary ids one at a time
 * and allocates and copies for every run (on DuckDB's files about a third of a profile's CPU went
 * there). Here each page's definition levels and values are decoded in bulk into reused arrays:
 * dictionary ids mapped through the decoded dictionary, or plain little-endian values.
 *
 * <p>The page layouts (Parquet's format specification, "Data Pages" and "Encodings"):
 * <pre>
 *   data page v1 (decompressed): [definition levels: 4-byte little-endian length, RLE/bit-packed hybrid]
 *                                [values]
 *   data page v2:                definition levels (hybrid, no length prefix) and values apart
 *   values, dictionary-encoded:  1 byte bit width, then a hybrid of dictionary ids
 *   values, PLAIN:               4 (INT32) or 8 (INT64) little-endian bytes each
 *   hybrid run header: ULEB128 varint h; h &amp; 1 == 0: an RLE run of h &gt;&gt;&gt; 1 copies of one value
 *                      stored in ceil(width / 8) little-endian bytes; else h &gt;&gt;&gt; 1 groups of 8 values
 *                      bit-packed least significant bit first, width bytes per group
 * </pre>
 * A row's value is present when its definition level is the column's maximum. {@link #applies}
 * takes a chunk only when it is flat (no repetition levels) and its metadata lists no encoding
 * but PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY and RLE, so every page is one of the two forms above
 * (DuckDB, Polars, Arrow and parquet-mr's v2 pages; parquet-mr's v1 pages name the deprecated
 * BIT_PACKED for levels, so their optional columns keep Parquet's column reader).
 */
final class IntPages {
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final Set<Encoding> READ = EnumSet.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY,
      Encoding.RLE_DICTIONARY, Encoding.RLE);

  /** Receives a page's values ({@code n} of {@code values}, physical: INT32 sign-extended), then its nulls. */
  interface Sink {
    void values(long[] values, int n);

    void nulls(int n);
  }

  private IntPages() {}

  /** True when the chunk is a flat INT32/INT64 column whose pages are all dictionary-encoded or plain. */
  static boolean applies(ColumnChunkMetaData chunk, ColumnDescriptor leaf) {
    PrimitiveType.PrimitiveTypeName t = leaf.getPrimitiveType().getPrimitiveTypeName();
    return leaf.getMaxRepetitionLevel() == 0
        && (t == PrimitiveType.PrimitiveTypeName.INT32 || t == PrimitiveType.PrimitiveTypeName.INT64)
        && READ.containsAll(encodings(chunk, leaf));
  }

  /** Reads every data page of the chunk into {@code sink}; malformed pages throw (the caller names the file). */
  static void read(PageReader pages, ColumnDescriptor leaf, Sink sink) {
    boolean int64 = leaf.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64;
    Dictionary d = dictionary(pages, leaf);
    long[] dictionary = null;
    if (d != null) {
      dictionary = new long[d.getMaxId() + 1];
      for (int id = 0; id < dictionary.length; id++) {
        dictionary[id] = int64 ? d.decodeToLong(id) : d.decodeToInt(id);
      }
    }
    long[] dict = dictionary;
    Hybrid ids = new Hybrid();
    int[][] idBuf = {new int[0]};
    long[][] values = {new long[0]};
    eachPage(pages, leaf, (count, present, encoding, valueBytes, valuesFrom) -> {
      if (present > 0) {
        if (values[0].length < present) {
          values[0] = new long[present];
          idBuf[0] = new int[present];
        }
        long[] v = values[0];
        if (encoding.usesDictionary()) {
          int[] id = idBuf[0];
          readIds(ids, dict != null, valueBytes, valuesFrom, id, present);
          for (int i = 0; i < present; i++) {
            v[i] = dict[id[i]]; // an id outside the dictionary throws: a damaged page
          }
        } else if (encoding == Encoding.PLAIN) {
          int size = int64 ? 8 : 4;
          if (valuesFrom + (long) present * size > valueBytes.length) {
            throw new IllegalStateException("a plain page of " + present + " values holds "
                + (valueBytes.length - valuesFrom) + " bytes");
          }
          for (int i = 0, at = valuesFrom; i < present; i++, at += size) {
            v[i] = int64 ? (long) LONGS.get(valueBytes, at) : (int) INTS.get(valueBytes, at);
          }
        } else {
          throw new IllegalStateException("a page in " + encoding + ", which the chunk's metadata did not list");
        }
        sink.values(v, present);
      }
      if (count > present) {
        sink.nulls(count - present);
      }
    });
  }

  /** Where a flat string chunk's pages go: dictionary ids in bulk, plain values one by one, nulls counted. */
  interface StringSink {
    void dictionary(Dictionary d);

    /** The dictionary ids of {@code n} present values, in row order (each checked against the dictionary). */
    void ids(int[] ids, int n);

    /** A value of a plain page (a writer's fallback when its dictionary grew too large). */
    void plain(Binary value);

    void nulls(int n);
  }

  /**
   * True when the chunk is a flat BINARY column (strings) whose pages are all dictionary-encoded or
   * plain, with RLE levels: what {@link #readStrings} reads.
   */
  static boolean appliesToStrings(ColumnChunkMetaData chunk, ColumnDescriptor leaf) {
    return leaf.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.BINARY
        && leaf.getMaxRepetitionLevel() == 0 && READ.containsAll(encodings(chunk, leaf));
  }

  /**
   * Reads every data page of a flat string chunk into {@code sink}: the dictionary, then per page the
   * ids of its present values (a dictionary-encoded page) or its values (a plain page: each a 4-byte
   * little-endian length and the bytes), and its nulls. Malformed pages throw.
   */
  static void readStrings(PageReader pages, ColumnDescriptor leaf, StringSink sink) {
    Dictionary d = dictionary(pages, leaf);
    if (d != null) {
      sink.dictionary(d);
    }
    int size = d == null ? 0 : d.getMaxId() + 1;
    Hybrid ids = new Hybrid();
    int[][] idBuf = {new int[0]};
    eachPage(pages, leaf, (count, present, encoding, valueBytes, valuesFrom) -> {
      if (present > 0) {
        if (encoding.usesDictionary()) {
          if (idBuf[0].length < present) {
            idBuf[0] = new int[present];
          }
          int[] id = idBuf[0];
          readIds(ids, d != null, valueBytes, valuesFrom, id, present);
          for (int i = 0; i < present; i++) {
            if (id[i] >= size) {
              throw new IllegalStateException("dictionary id " + id[i] + " in a dictionary of " + size);
            }
          }
          sink.ids(id, present);
        } else if (encoding == Encoding.PLAIN) {
          int at = valuesFrom;
          for (int i = 0; i < present; i++) {
            int len = at + 4 > valueBytes.length ? -1 : (int) INTS.get(valueBytes, at);
            if (len < 0 || at + 4L + len > valueBytes.length) {
              throw new IllegalStateException("a plain page of " + present + " strings ended at value " + i);
            }
            sink.plain(Binary.fromConstantByteArray(valueBytes, at + 4, len));
            at += 4 + len;
          }
        } else {
          throw new IllegalStateException("a page in " + encoding + ", which the chunk's metadata did not list");
        }
      }
      if (count > present) {
        sink.nulls(count - present);
      }
    });
  }

  private static Set<Encoding> encodings(ColumnChunkMetaData chunk, ColumnDescriptor leaf) {
    Set<Encoding> encodings = EnumSet.noneOf(Encoding.class);
    encodings.addAll(chunk.getEncodings());
    if (leaf.getMaxDefinitionLevel() == 0) {
      // parquet-mr's v1 pages name BIT_PACKED for levels of width 0, which take no bytes
      encodings.remove(Encoding.BIT_PACKED);
    }
    return encodings;
  }

  /** The chunk's dictionary, decoded; null when it has none. */
  private static Dictionary dictionary(PageReader pages, ColumnDescriptor leaf) {
    DictionaryPage dictPage = pages.readDictionaryPage();
    if (dictPage == null) {
      return null;
    }
    try {
      return dictPage.getEncoding().initDictionary(leaf, dictPage);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} dictionary ids of a dictionary-encoded page's values (1 byte of bit width, then a hybrid). */
  private static void readIds(Hybrid ids, boolean hasDictionary, byte[] valueBytes, int valuesFrom, int[] out, int n) {
    if (!hasDictionary) {
      throw new IllegalStateException("a dictionary-encoded page in a chunk without a dictionary page");
    }
    if (valuesFrom >= valueBytes.length) {
      throw new IllegalStateException("a page of " + n + " values ended before its bit width");
    }
    int width = valueBytes[valuesFrom] & 0xff;
    if (width > 32) {
      throw new IllegalStateException("a dictionary id bit width of " + width);
    }
    ids.reset(valueBytes, valuesFrom + 1, valueBytes.length, width);
    ids.read(out, n);
  }

  /** A data page with its definition levels decoded: {@code present} of its {@code count} rows have values. */
  private interface PageValues {
    void page(int count, int present, Encoding encoding, byte[] valueBytes, int valuesFrom);
  }

  /** Every data page of the chunk, its levels decoded (the layouts above), to {@code handler}. */
  private static void eachPage(PageReader pages, ColumnDescriptor leaf, PageValues handler) {
    int maxDef = leaf.getMaxDefinitionLevel();
    int defWidth = 32 - Integer.numberOfLeadingZeros(maxDef);
    Hybrid levels = new Hybrid();
    int[] defs = new int[0];
    long left = pages.getTotalValueCount(); // the chunk's values by its metadata: bounds what a page may claim
    for (DataPage page; (page = pages.readPage()) != null; ) {
      int count = page.getValueCount();
      if (count < 0 || count > left) {
        throw new IllegalStateException("a page of " + count + " values where the chunk has " + left + " left");
      }
      left -= count;
      byte[] valueBytes;
      int valuesFrom;
      Encoding encoding;
      byte[] levelBytes = null;
      int levelsFrom = 0;
      int levelsTo = 0;
      try {
        if (page instanceof DataPageV1 v1) {
          if (maxDef > 0 && v1.getDlEncoding() != Encoding.RLE) {
            throw new IllegalStateException("definition levels in " + v1.getDlEncoding() + ", not RLE");
          }
          byte[] all = v1.getBytes().toByteArray();
          int pos = 0;
          if (maxDef > 0) {
            int len = all.length < 4 ? -1 : (int) INTS.get(all, 0);
            if (len < 0 || 4 + len > all.length) {
              throw new IllegalStateException("definition levels of " + len + " bytes in a page of " + all.length);
            }
            levelBytes = all;
            levelsFrom = 4;
            levelsTo = 4 + len;
            pos = levelsTo;
          }
          valueBytes = all;
          valuesFrom = pos;
          encoding = v1.getValueEncoding();
        } else {
          DataPageV2 v2 = (DataPageV2) page;
          if (maxDef > 0) {
            levelBytes = v2.getDefinitionLevels().toByteArray();
            levelsTo = levelBytes.length;
          }
          valueBytes = v2.getData().toByteArray();
          valuesFrom = 0;
          encoding = v2.getDataEncoding();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int present = count;
      if (maxDef > 0) {
        if (defs.length < count) {
          defs = new int[count];
        }
        levels.reset(levelBytes, levelsFrom, levelsTo, defWidth);
        levels.read(defs, count);
        present = 0;
        for (int i = 0; i < count; i++) {
          if (defs[i] == maxDef) {
            present++;
          }
        }
      }
      handler.page(count, present, encoding, valueBytes, valuesFrom);
    }
  }

  /** The RLE/bit-packing hybrid decoder over a byte range, into int arrays. */
  static final class Hybrid {
    private final int[] group = new int[8];
    private final byte[] padded = new byte[32];
    private byte[] buf;
    private int pos;
    private int end;
    private int width;
    private BytePacker packer;
    private int left; // values left in the current run
    private boolean rle;
    private int rleValue;
    private int groupPos = 8; // next value of `group` (8: none decoded)

    void reset(byte[] buf, int from, int to, int width) {
      this.buf = buf;
      this.pos = from;
      this.end = to;
      if (packer == null || this.width != width) {
        packer = Packer.LITTLE_ENDIAN.newBytePacker(width);
      }
      this.width = width;
      this.left = 0;
      this.groupPos = 8;
    }

    /** The next {@code n} values into {@code out[0..n)}. */
    void read(int[] out, int n) {
      int i = 0;
      while (i < n) {
        if (left == 0) {
          header();
          continue;
        }
        if (rle) {
          int m = Math.min(left, n - i);
          Arrays.fill(out, i, i + m, rleValue);
          i += m;
          left -= m;
        } else if (groupPos == 8 && left >= 8 && n - i >= 8 && pos + width <= end) {
          packer.unpack8Values(buf, pos, out, i); // a whole group straight into place
          pos += width;
          i += 8;
          left -= 8;
        } else {
          if (groupPos == 8) {
            unpackGroup();
          }
          int m = Math.min(Math.min(8 - groupPos, left), n - i);
          System.arraycopy(group, groupPos, out, i, m);
          groupPos += m;
          i += m;
          left -= m;
        }
      }
    }

    private void header() {
      int h = 0;
      for (int shift = 0; ; shift += 7) {
        if (pos >= end || shift > 28) {
          throw new IllegalStateException("the page ended inside its values (RLE/bit-packed run header)");
        }
        byte b = buf[pos++];
        h |= (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
      }
      if ((h & 1) == 0) {
        rle = true;
        left = h >>> 1;
        int bytes = (width + 7) >>> 3;
        if (pos + bytes > end) {
          throw new IllegalStateException("the page ended inside an RLE run's value");
        }
        int v = 0;
        for (int k = 0; k < bytes; k++) {
          v |= (buf[pos + k] & 0xff) << (8 * k);
        }
        pos += bytes;
        rleValue = v;
      } else {
        rle = false;
        left = (h >>> 1) * 8;
        groupPos = 8;
      }
      if (left == 0) {
        throw new IllegalStateException("an empty RLE/bit-packed run");
      }
    }

    /** The next group of 8 values into {@code group}; a group cut short by the page's end is zero-padded. */
    private void unpackGroup() {
      if (pos + width <= end) {
        packer.unpack8Values(buf, pos, group, 0);
      } else {
        if (pos >= end && width > 0) {
          throw new IllegalStateException("the page ended inside a bit-packed run");
        }
        Arrays.fill(padded, (byte) 0);
        System.arraycopy(buf, pos, padded, 0, Math.max(0, end - pos));
        packer.unpack8Values(padded, 0, group, 0);
      }
      pos = Math.min(end, pos + width);
      groupPos = 0;
    }
  }
}
