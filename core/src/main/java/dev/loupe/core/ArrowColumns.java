package dev.loupe.core;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.apache.arrow.vector.validate.ValidateUtil;

/**
 * Feeds Arrow vectors into column trackers. Each common vector type has its own tight loop over
 * the raw buffers (no boxing, no per-value allocation); rarer types take a generic path.
 *
 * <p>Type mapping (whylogs' view of the same pandas dtypes): all integer widths are integral;
 * float16/32/64 and decimals are fractional; utf8, large utf8, utf8 view and dictionary-encoded
 * strings are strings; booleans count in types/boolean and counts/true; lists of numbers are
 * tensors; dates and timestamps are time (epoch milliseconds, see {@link ValueKind}); times of day,
 * durations, intervals, binary, structs and maps are objects.
 */
final class ArrowColumns {
  /** Strings pre-aggregated per drain of the distinct table (at most {@link Utf8Distinct#MAX_ADDS_PER_DRAIN}). */
  static final int STRING_CHUNK = 8192;

  private ArrowColumns() {}

  /** The kind a vector declares, after dictionary decoding. */
  static ColumnKind kindOf(ValueVector v) {
    if (v instanceof BaseIntVector && !(v instanceof UInt8Vector)) {
      return ColumnKind.INTEGRAL;
    }
    if (v instanceof UInt8Vector) {
      return ColumnKind.INTEGRAL;
    }
    if (v instanceof Float8Vector || v instanceof Float4Vector || v instanceof Float2Vector
        || v instanceof DecimalVector || v instanceof Decimal256Vector) {
      return ColumnKind.FRACTIONAL;
    }
    if (v instanceof VarCharVector || v instanceof LargeVarCharVector || v instanceof ViewVarCharVector) {
      return ColumnKind.STRING;
    }
    if (v instanceof DateDayVector || v instanceof DateMilliVector || v instanceof TimeStampVector) {
      return ColumnKind.TIME;
    }
    return ColumnKind.OBJECT;
  }

  static ValueVector decodedVector(FieldVector v, DictionaryProvider dictionaries) {
    DictionaryEncoding enc = v.getField().getDictionary();
    if (enc == null) {
      return v;
    }
    return dictionary(v, enc, dictionaries).getVector();
  }

  private static Dictionary dictionary(FieldVector v, DictionaryEncoding enc, DictionaryProvider dictionaries) {
    if (dictionaries == null) {
      throw new IllegalArgumentException("column '" + v.getName() + "' is dictionary-encoded (dictionary id "
          + enc.getId() + ") but no DictionaryProvider was given; call trackDataframe(root, provider) "
          + "with the reader that produced the batch");
    }
    Dictionary d = dictionaries.lookup(enc.getId());
    if (d == null) {
      throw new IllegalArgumentException("column '" + v.getName() + "': dictionary id " + enc.getId()
          + " is not among the dictionaries given (an Arrow IPC stream holds them in its dictionary batches)");
    }
    return d;
  }

  /**
   * Checks everything tracking {@code root} relies on, so that a batch read from outside is refused
   * before any of it is recorded: Arrow's check that every buffer (nested ones too) holds the rows the
   * batch claims, then per column what tracking reads that Arrow's check leaves open:
   * <ul>
   *   <li>utf8 and large utf8: each value's offsets in order and inside the data
   *       ({@link #checkUtf8Value}, the rule {@link #utf8} applies as it reads);
   *   <li>utf8 views: each view's length, and its data buffer and offset when it is not inline;
   *   <li>timestamps in seconds: each value within the range of epoch milliseconds;
   *   <li>dictionary-encoded columns: the dictionary (checked as a column), each index inside it, and for
   *       dictionaries that are not strings each entry converted as tracking converts it;
   *   <li>fixed-size lists (counted, not read: Arrow's full check of them throws), and vectors holding
   *       decimals (Arrow's full check refuses decimals wider than their declared precision, which Loupe
   *       tracks as they are): the buffer check only;
   *   <li>any other vector: Arrow's full check.
   * </ul>
   * Arrow's full check of a string vector also decodes every value as UTF-8 and builds an error message
   * per value; tracking needs only the offsets, at a small part of the cost. String bytes that are not
   * UTF-8 are not refused (see docs/concepts.md). Every failure is an {@link IllegalArgumentException}
   * naming the column.
   */
  static void check(VectorSchemaRoot root, DictionaryProvider dictionaries) {
    try {
      ValueVectorUtility.validate(root);
    } catch (RuntimeException e) {
      throw malformed(null, e);
    }
    int rows = root.getRowCount();
    for (FieldVector v : root.getFieldVectors()) {
      try {
        DictionaryEncoding enc = v.getField().getDictionary();
        if (enc == null) {
          checkValues(v, rows);
          continue;
        }
        ValueVector dict = dictionary(v, enc, dictionaries).getVector();
        ValueVectorUtility.validate(dict);
        checkValues(dict, dict.getValueCount());
        BaseIntVector idx = indexVector(v);
        int size = dict.getValueCount();
        for (int i = 0; i < rows; i++) {
          if (!v.isNull(i)) {
            dictionaryIndex(v, idx, i, size);
          }
        }
        if (!(dict instanceof VarCharVector || dict instanceof LargeVarCharVector)) {
          // trackDictionary converts these entries one by one (trackPlainOne): do the same into a scratch tracker
          ColumnTracker scratch = new ColumnTracker(kindOf(dict));
          for (int k = 0; k < size; k++) {
            if (!dict.isNull(k)) {
              trackPlainOne(scratch, dict, k);
            }
          }
        }
      } catch (IllegalArgumentException e) {
        throw e.getMessage() != null && e.getMessage().contains("'" + v.getName() + "'") ? e : malformed(v, e);
      } catch (RuntimeException e) {
        throw malformed(v, e);
      }
    }
  }

  private static IllegalArgumentException malformed(ValueVector v, RuntimeException e) {
    return new IllegalArgumentException((v == null ? "" : "column '" + v.getName() + "': ") + "the Arrow batch is "
        + "malformed (" + e + "); re-encode it with an Arrow writer", e);
  }

  private static void checkValues(ValueVector v, int rows) {
    if (v instanceof VarCharVector s) {
      checkUtf8(s, s.getOffsetBuffer(), s.getDataBuffer(), rows, false);
    } else if (v instanceof LargeVarCharVector s) {
      checkUtf8(s, s.getOffsetBuffer(), s.getDataBuffer(), rows, true);
    } else if (v instanceof ViewVarCharVector s) {
      checkViews(s, rows);
    } else if (v instanceof TimeStampVector ts) {
      checkSeconds(ts, rows);
    } else if (!(v instanceof FixedSizeListVector) && !holdsDecimals(v.getField())) {
      ValueVectorUtility.validateFull(v);
    }
  }

  /** Each non-null view: a length of at least 0, and past 12 bytes a data buffer and an offset that hold it. */
  private static void checkViews(ViewVarCharVector s, int rows) {
    ArrowBuf views = s.getDataBuffer(); // the views: 16 bytes each
    List<ArrowBuf> data = s.getDataBuffers();
    for (int i = 0; i < rows; i++) {
      if (s.isNull(i)) {
        continue;
      }
      long at = (long) i * 16;
      int length = views.getInt(at);
      if (length < 0) {
        throw new IllegalArgumentException("column '" + s.getName() + "', row " + i + ": a string view of length "
            + length + "; the Arrow batch is malformed, re-encode it with an Arrow writer");
      }
      if (length > 12) {
        int buffer = views.getInt(at + 8);
        long offset = views.getInt(at + 12);
        if (buffer < 0 || buffer >= data.size() || offset < 0 || offset + length > data.get(buffer).capacity()) {
          throw new IllegalArgumentException("column '" + s.getName() + "', row " + i + ": a string view of "
              + length + " bytes at offset " + offset + " of data buffer " + buffer + " lies outside the "
              + data.size() + " data buffers; the Arrow batch is malformed, re-encode it with an Arrow writer");
        }
      }
    }
  }

  /** Timestamps in seconds: each non-null value within the epoch milliseconds {@link #timestamps} makes of it. */
  private static void checkSeconds(TimeStampVector v, int rows) {
    if (((ArrowType.Timestamp) v.getField().getType()).getUnit() != TimeUnit.SECOND) {
      return;
    }
    ArrowBuf data = v.getDataBuffer();
    for (int i = 0; i < rows; i++) {
      if (v.isSet(i) != 0) {
        long x = data.getLong((long) i << 3);
        if (x > Long.MAX_VALUE / 1000 || x < Long.MIN_VALUE / 1000) {
          throw new IllegalArgumentException("column '" + v.getName() + "', row " + i + ": " + x + " seconds is "
              + "beyond the epoch milliseconds a time is profiled as (about 292 million years)");
        }
      }
    }
  }

  private static boolean holdsDecimals(Field f) {
    if (f.getType() instanceof ArrowType.Decimal) {
      return true;
    }
    for (Field c : f.getChildren()) {
      if (holdsDecimals(c)) {
        return true;
      }
    }
    return false;
  }

  static void track(ColumnTracker t, FieldVector v, int rows, DictionaryProvider dictionaries) {
    DictionaryEncoding enc = v.getField().getDictionary();
    if (enc != null) {
      trackDictionary(t, v, rows, dictionary(v, enc, dictionaries).getVector());
      return;
    }
    trackPlain(t, v, rows);
  }

  private static void trackPlain(ColumnTracker t, ValueVector v, int rows) {
    if (v instanceof BigIntVector b) {
      bigInts(t, b, rows);
    } else if (v instanceof IntVector i) {
      ints(t, i, rows);
    } else if (v instanceof Float8Vector f) {
      doubles(t, f, rows);
    } else if (v instanceof Float4Vector f) {
      floats(t, f, rows);
    } else if (v instanceof VarCharVector s) {
      utf8(t, s.getOffsetBuffer(), s.getDataBuffer(), s, rows, false);
    } else if (v instanceof LargeVarCharVector s) {
      utf8(t, s.getOffsetBuffer(), s.getDataBuffer(), s, rows, true);
    } else if (v instanceof BitVector b) {
      booleans(t, b, rows);
    } else if (v instanceof UInt8Vector u) {
      for (int i = 0; i < rows; i++) {
        if (u.isNull(i)) {
          t.addNulls(1);
        } else {
          long x = u.get(i);
          if (x >= 0) {
            t.addLong(x);
          } else {
            t.addDouble(UInt8Vector.getNoOverflow(u.getDataBuffer(), i).doubleValue());
          }
        }
      }
    } else if (v instanceof BaseIntVector b) {
      for (int i = 0; i < rows; i++) {
        if (v.isNull(i)) {
          t.addNulls(1);
        } else {
          t.addLong(b.getValueAsLong(i));
        }
      }
    } else if (v instanceof Float2Vector f) {
      for (int i = 0; i < rows; i++) {
        if (f.isNull(i)) {
          t.addNulls(1);
        } else {
          t.addDouble(f.getValueAsDouble(i));
        }
      }
    } else if (v instanceof DecimalVector || v instanceof Decimal256Vector) {
      for (int i = 0; i < rows; i++) {
        Object o = v.getObject(i);
        if (o == null) {
          t.addNulls(1);
        } else {
          t.addDouble(((BigDecimal) o).doubleValue());
        }
      }
    } else if (v instanceof ViewVarCharVector s) {
      for (int i = 0; i < rows; i++) {
        if (s.isNull(i)) {
          t.addNulls(1);
        } else {
          t.addString(new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    } else if (v instanceof DateDayVector d) {
      ArrowBuf data = d.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        if (d.isSet(i) == 0) {
          t.addNulls(1);
        } else {
          t.addTime(data.getInt((long) i << 2) * MILLIS_PER_DAY);
        }
      }
    } else if (v instanceof DateMilliVector d) {
      ArrowBuf data = d.getDataBuffer();
      for (int i = 0; i < rows; i++) {
        if (d.isSet(i) == 0) {
          t.addNulls(1);
        } else {
          t.addTime(data.getLong((long) i << 3));
        }
      }
    } else if (v instanceof TimeStampVector ts) {
      timestamps(t, ts, rows);
    } else if (v instanceof NullVector) {
      t.addNulls(rows);
    } else {
      long nulls = countNulls(v, rows);
      t.addNulls(nulls);
      if (isNumericList(v)) {
        t.addTensors(rows - nulls);
      } else {
        t.addObjects(rows - nulls);
      }
    }
  }

  static final long MILLIS_PER_DAY = 86_400_000L;

  /** Timestamps of any unit, with or without a zone (the stored value is UTC-based either way), as epoch ms, floored. */
  private static void timestamps(ColumnTracker t, TimeStampVector v, int rows) {
    TimeUnit unit = ((ArrowType.Timestamp) v.getField().getType()).getUnit();
    ArrowBuf data = v.getDataBuffer();
    for (int i = 0; i < rows; i++) {
      if (v.isSet(i) == 0) {
        t.addNulls(1);
        continue;
      }
      long x = data.getLong((long) i << 3);
      t.addTime(switch (unit) {
        case SECOND -> Math.multiplyExact(x, 1000L);
        case MILLISECOND -> x;
        case MICROSECOND -> Math.floorDiv(x, 1000L);
        case NANOSECOND -> Math.floorDiv(x, 1_000_000L);
      });
    }
  }

  private static boolean isNumericList(ValueVector v) {
    ValueVector child;
    if (v instanceof ListVector l) {
      child = l.getDataVector();
    } else if (v instanceof LargeListVector l) {
      child = l.getDataVector();
    } else if (v instanceof FixedSizeListVector l) {
      child = l.getDataVector();
    } else {
      return false;
    }
    ColumnKind k = kindOf(child);
    return k == ColumnKind.INTEGRAL || k == ColumnKind.FRACTIONAL;
  }

  private static long countNulls(ValueVector v, int rows) {
    if (rows == v.getValueCount()) {
      return v.getNullCount();
    }
    long nulls = 0;
    for (int i = 0; i < rows; i++) {
      if (v.isNull(i)) {
        nulls++;
      }
    }
    return nulls;
  }

  /**
   * The address of {@code buf} after one check that it holds {@code bytes} bytes and is still
   * open: the loops below then read it straight from memory, with no bounds check per value. A
   * batch read from outside (the server's Arrow IPC bodies) that fails this check is malformed.
   */
  private static long checkedAddress(ValueVector v, ArrowBuf buf, long bytes, String what) {
    if (bytes == 0) {
      return 0;
    }
    if (buf.getReferenceManager().getRefCount() <= 0) {
      throw new IllegalStateException("column '" + v.getName() + "': its " + what + " buffer was already released");
    }
    if (bytes > buf.capacity()) {
      throw new IllegalArgumentException("column '" + v.getName() + "': the batch needs " + bytes + " bytes of "
          + what + " buffer but it holds " + buf.capacity() + "; the Arrow batch is malformed (its row count "
          + "exceeds its buffers), re-encode it with an Arrow writer");
    }
    return buf.memoryAddress();
  }

  /** The validity bitmap's address, or 0 when the first {@code rows} values have no null. */
  private static long validityAddress(ValueVector v, int rows) {
    if (v.getNullCount() == 0 && rows <= v.getValueCount()) {
      return 0;
    }
    return checkedAddress(v, v.getValidityBuffer(), (rows + 7) >>> 3, "validity");
  }

  private static boolean valid(long validity, int i) {
    return validity == 0 || (MemoryUtil.getByte(validity + (i >>> 3)) >>> (i & 7) & 1) != 0;
  }

  /** 8-byte ({@code wide}) or 4-byte signed integers, copied into the tracker's batch buffer. */
  private static void integers(ColumnTracker t, ValueVector v, ArrowBuf dataBuf, int rows, boolean wide) {
    long data = checkedAddress(v, dataBuf, (long) rows << (wide ? 3 : 2), "data");
    long validity = validityAddress(v, rows);
    long nulls = 0;
    int i = 0;
    while (i < rows) {
      long[] buf = t.longBuffer();
      int from = t.longFill();
      int w = from;
      int stop = from + Math.min(t.longRoom(), rows - i);
      if (validity == 0) {
        if (wide) {
          for (; w < stop; w++, i++) {
            buf[w] = MemoryUtil.getLong(data + ((long) i << 3));
          }
        } else {
          for (; w < stop; w++, i++) {
            buf[w] = MemoryUtil.getInt(data + ((long) i << 2));
          }
        }
      } else {
        for (int r = w; r < stop; r++, i++) {
          if (valid(validity, i)) {
            buf[w++] = wide ? MemoryUtil.getLong(data + ((long) i << 3)) : MemoryUtil.getInt(data + ((long) i << 2));
          } else {
            nulls++;
          }
        }
      }
      t.longsFilled(w - from);
    }
    t.addNulls(nulls);
  }

  private static void bigInts(ColumnTracker t, BigIntVector v, int rows) {
    integers(t, v, v.getDataBuffer(), rows, true);
  }

  private static void ints(ColumnTracker t, IntVector v, int rows) {
    integers(t, v, v.getDataBuffer(), rows, false);
  }

  /** 8-byte ({@code wide}) or 4-byte floats, copied into the tracker's batch buffer. */
  private static void fractions(ColumnTracker t, ValueVector v, ArrowBuf dataBuf, int rows, boolean wide) {
    long data = checkedAddress(v, dataBuf, (long) rows << (wide ? 3 : 2), "data");
    long validity = validityAddress(v, rows);
    long nulls = 0;
    int i = 0;
    while (i < rows) {
      double[] buf = t.doubleBuffer();
      int from = t.doubleFill();
      int w = from;
      int stop = from + Math.min(t.doubleRoom(), rows - i);
      if (validity == 0) {
        if (wide) {
          for (; w < stop; w++, i++) {
            buf[w] = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
          }
        } else {
          for (; w < stop; w++, i++) {
            buf[w] = Float.intBitsToFloat(MemoryUtil.getInt(data + ((long) i << 2)));
          }
        }
      } else {
        for (int r = w; r < stop; r++, i++) {
          if (valid(validity, i)) {
            buf[w++] = wide
                ? Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)))
                : Float.intBitsToFloat(MemoryUtil.getInt(data + ((long) i << 2)));
          } else {
            nulls++;
          }
        }
      }
      t.doublesFilled(w - from);
    }
    t.addNulls(nulls);
  }

  private static void doubles(ColumnTracker t, Float8Vector v, int rows) {
    fractions(t, v, v.getDataBuffer(), rows, true);
  }

  private static void floats(ColumnTracker t, Float4Vector v, int rows) {
    fractions(t, v, v.getDataBuffer(), rows, false);
  }

  private static void booleans(ColumnTracker t, BitVector v, int rows) {
    long trues = 0;
    long falses = 0;
    long nulls = 0;
    ArrowBuf data = v.getDataBuffer();
    for (int i = 0; i < rows; i++) {
      if (v.isSet(i) == 0) {
        nulls++;
      } else if ((data.getByte(i >>> 3) >>> (i & 7) & 1) != 0) {
        trues++;
      } else {
        falses++;
      }
    }
    t.addNulls(nulls);
    t.addBooleans(trues, falses);
  }

  /**
   * UTF-8 strings straight from the buffers: the offsets and validity buffers are checked to hold
   * the batch once, and each value's offsets are checked to lie within the data buffer, in order,
   * as they are read; then the bytes are read from memory without further checks.
   */
  private static void utf8(ColumnTracker t, ArrowBuf offsetBuf, ArrowBuf dataBuf, ValueVector v, int rows, boolean large) {
    if (rows == 0) {
      return;
    }
    Utf8Buffers b = utf8Buffers(v, offsetBuf, dataBuf, rows, large);
    long offsets = b.offsets();
    long dataCap = b.dataCap();
    long data = b.data();
    long validity = b.validity();
    Utf8Distinct distinct = t.utf8Distinct(Math.min(rows, STRING_CHUNK));
    long nulls = 0;
    for (int from = 0; from < rows; from += STRING_CHUNK) {
      int to = Math.min(rows, from + STRING_CHUNK);
      boolean direct = t.utf8Direct();
      long chunkNulls = nulls;
      for (int i = from; i < to; i++) {
        if (!valid(validity, i)) {
          nulls++;
          continue;
        }
        long start = offset(offsets, i, large);
        long end = offset(offsets, i + 1, large);
        checkUtf8Value(v, i, start, end, dataCap);
        if (direct) {
          t.addDistinctUtf8(distinct.bytes(data, start, (int) (end - start)), 1);
        } else {
          distinct.add(data, start, (int) (end - start));
        }
      }
      t.utf8ChunkDone(direct, (int) (to - from - (nulls - chunkNulls)), distinct.size());
      distinct.drainTo(t, data);
    }
    t.addNulls(nulls);
  }

  /** The checked addresses of a string vector's buffers, and its data buffer's size (see {@link #utf8}). */
  private record Utf8Buffers(long offsets, long data, long dataCap, long validity) {}

  private static Utf8Buffers utf8Buffers(ValueVector v, ArrowBuf offsetBuf, ArrowBuf dataBuf, int rows,
      boolean large) {
    long offsets = checkedAddress(v, offsetBuf, (long) (rows + 1) << (large ? 3 : 2), "offset");
    long dataCap = dataBuf.capacity();
    long data = dataCap == 0 ? 0 : checkedAddress(v, dataBuf, dataCap, "data");
    long validity = validityAddress(v, rows);
    if (dataCap > Utf8Distinct.MAX_START) {
      throw new IllegalArgumentException("column '" + v.getName() + "': a string data buffer of " + dataCap
          + " bytes is beyond what is profiled in one batch; split the batch");
    }
    return new Utf8Buffers(offsets, data, dataCap, validity);
  }

  /** Offset {@code i} of a string vector's offset buffer (8 bytes each when {@code large}, else 4). */
  private static long offset(long offsets, int i, boolean large) {
    return large ? MemoryUtil.getLong(offsets + ((long) i << 3)) : MemoryUtil.getInt(offsets + ((long) i << 2));
  }

  /** The rule for a string value's offsets: in order, and inside the data buffer. */
  private static void checkUtf8Value(ValueVector v, int i, long start, long end, long dataCap) {
    if (start < 0 || end < start || end > dataCap || end - start > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("column '" + v.getName() + "', row " + i + ": string offsets " + start
          + ".." + end + " are outside the data buffer's " + dataCap + " bytes; the Arrow batch is malformed, "
          + "re-encode it with an Arrow writer");
    }
  }

  /** {@link #utf8}'s checks alone, over every non-null value: what {@link #check} runs for a string vector. */
  private static void checkUtf8(ValueVector v, ArrowBuf offsetBuf, ArrowBuf dataBuf, int rows, boolean large) {
    if (rows == 0) {
      return;
    }
    Utf8Buffers b = utf8Buffers(v, offsetBuf, dataBuf, rows, large);
    for (int i = 0; i < rows; i++) {
      if (valid(b.validity(), i)) {
        checkUtf8Value(v, i, offset(b.offsets(), i, large), offset(b.offsets(), i + 1, large), b.dataCap());
      }
    }
  }

  /**
   * UTF-8 cells of a byte array, as {@link #utf8} tracks a vector of the same values: the same
   * chunks, the same table sizes and the same order of updates, so a door that holds its text as
   * bytes (the CSV byte path) profiles exactly as the Arrow vector of those cells would. Cell
   * {@code i} is {@code buf[starts[i]..ends[i])}, or a null when {@code starts[i]} is negative.
   */
  static void utf8Cells(ColumnTracker t, byte[] buf, int[] starts, int[] ends, int from, int to) {
    if (from < 0 || to < from || to > starts.length || to > ends.length) {
      throw new IndexOutOfBoundsException("cells " + from + ".." + to + " of " + starts.length + " starts and "
          + ends.length + " ends");
    }
    int rows = to - from;
    if (rows == 0) {
      return;
    }
    Utf8Distinct distinct = t.utf8Distinct(Math.min(rows, STRING_CHUNK));
    long nulls = 0;
    for (int chunk = from; chunk < to; chunk += STRING_CHUNK) {
      int end = Math.min(to, chunk + STRING_CHUNK);
      boolean direct = t.utf8Direct();
      long chunkNulls = nulls;
      for (int i = chunk; i < end; i++) {
        int start = starts[i];
        if (start < 0) {
          nulls++;
          continue;
        }
        int stop = ends[i];
        if (stop < start || stop > buf.length) {
          throw new IndexOutOfBoundsException("cell " + i + ": bytes " + start + ".." + stop + " are outside the "
              + buf.length + " bytes given");
        }
        if (direct) {
          t.addDistinctUtf8(distinct.bytes(buf, start, stop - start), 1);
        } else {
          distinct.add(buf, start, stop - start);
        }
      }
      t.utf8ChunkDone(direct, (int) (end - chunk - (nulls - chunkNulls)), distinct.size());
      distinct.drainTo(t, buf);
    }
    t.addNulls(nulls);
  }

  private static BaseIntVector indexVector(FieldVector indices) {
    if (!(indices instanceof BaseIntVector idx)) {
      throw new IllegalArgumentException("column '" + indices.getName() + "': dictionary indices must be integers, found "
          + indices.getMinorType());
    }
    return idx;
  }

  /** Row {@code i}'s dictionary index, checked to lie inside a dictionary of {@code size} entries. */
  private static int dictionaryIndex(FieldVector indices, BaseIntVector idx, int i, int size) {
    long k = idx.getValueAsLong(i);
    if (k < 0 || k >= size) {
      throw new IllegalArgumentException("column '" + indices.getName() + "', row " + i + ": dictionary index " + k
          + " is outside the dictionary's " + size + " entries");
    }
    return (int) k;
  }

  private static void trackDictionary(ColumnTracker t, FieldVector indices, int rows, ValueVector dict) {
    BaseIntVector idx = indexVector(indices);
    int size = dict.getValueCount();
    long[] counts = new long[size];
    long nulls = 0;
    for (int i = 0; i < rows; i++) {
      if (indices.isNull(i)) {
        nulls++;
        continue;
      }
      counts[dictionaryIndex(indices, idx, i, size)]++;
    }
    t.addNulls(nulls);
    if (dict instanceof VarCharVector || dict instanceof LargeVarCharVector) {
      Function<Integer, byte[]> bytes = dict instanceof VarCharVector s ? s::get : ((LargeVarCharVector) dict)::get;
      for (int k = 0; k < size; k++) {
        if (counts[k] == 0) {
          continue;
        }
        if (dict.isNull(k)) {
          t.addNulls(counts[k]);
        } else {
          t.addDistinctUtf8(bytes.apply(k), counts[k]);
        }
      }
      return;
    }
    // other dictionary value types are rare: replay each entry as often as it is used
    for (int k = 0; k < size; k++) {
      for (long c = 0; c < counts[k]; c++) {
        if (dict.isNull(k)) {
          t.addNulls(1);
        } else {
          trackPlainOne(t, dict, k);
        }
      }
    }
  }

  private static void trackPlainOne(ColumnTracker t, ValueVector dict, int k) {
    RowValues.add(t, dict.getObject(k));
  }
}
