package dev.loupe.readers;

import de.siegmar.fastcsv.reader.CsvRecord;
import dev.loupe.core.DatasetProfile;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One Arrow batch of CSV records in the column types inferred for the file, and its off-type
 * cells. {@link CsvBatchReader} fills one as it reads; with several threads, each profiling thread
 * fills its own from the records the parsing thread hands it. Not thread-safe.
 */
final class CsvBatch implements AutoCloseable {
  private final List<String> names;
  private final ColumnType[] types;
  private final BufferAllocator allocator;
  private final VectorSchemaRoot root;
  private final FieldVector[] vectors;
  private final List<CsvBatchReader.OffTypeValue> offType = new ArrayList<>();
  private final Utf8Scratch utf8 = new Utf8Scratch();
  private int row;

  CsvBatch(List<String> names, ColumnType[] types, BufferAllocator allocator, int capacity) {
    this.names = names;
    this.types = types;
    this.allocator = allocator;
    List<Field> fields = new ArrayList<>();
    for (int c = 0; c < types.length; c++) {
      fields.add(Field.nullable(names.get(c), types[c].arrowType()));
    }
    VectorSchemaRoot created = VectorSchemaRoot.create(new Schema(fields), allocator);
    try {
      this.vectors = created.getFieldVectors().toArray(new FieldVector[0]);
      for (FieldVector v : vectors) {
        v.setInitialCapacity(Math.max(capacity, 1));
        v.allocateNew();
      }
    } catch (RuntimeException e) {
      created.close();
      throw e;
    }
    this.root = created;
  }

  VectorSchemaRoot root() {
    return root;
  }

  List<CsvBatchReader.OffTypeValue> offTypeValues() {
    return Collections.unmodifiableList(offType);
  }

  /** Empties the batch for the next records. */
  void clear() {
    for (FieldVector v : vectors) {
      v.reset();
    }
    offType.clear();
    row = 0;
    root.setRowCount(0);
  }

  /** Appends one record, which has a field per column (the reader checked). */
  void add(CsvRecord r) {
    for (int c = 0; c < vectors.length; c++) {
      String cell = r.getField(c);
      if (cell.isEmpty()) {
        vectors[c].setNull(row);
      } else if (!types[c].write(vectors[c], row, cell)) {
        vectors[c].setNull(row);
        offType.add(new CsvBatchReader.OffTypeValue(c, row, CellText.classify(cell)));
      }
    }
    row++;
  }

  /**
   * Sets column {@code c} of the row being appended from {@code len} chars of {@code buf} from
   * {@code off}, as {@link #add} sets it from the same text; {@link #endRow} then appends the row.
   * Setting a column again before that replaces it.
   */
  void set(int c, char[] buf, int off, int len) {
    if (len == 0) {
      vectors[c].setNull(row);
    } else if (!types[c].write(vectors[c], row, buf, off, len, utf8)) {
      vectors[c].setNull(row);
      offType.add(new CsvBatchReader.OffTypeValue(c, row, CellText.classify(new String(buf, off, len))));
    }
  }

  /** Appends the row whose columns {@link #set} set (every one of them); returns the rows now in the batch. */
  int endRow() {
    return ++row;
  }

  /** Makes the appended records the root's rows; returns how many there are. */
  int finish() {
    root.setRowCount(row);
    return row;
  }

  /**
   * Profiles the batch: each column through its vector (columnar), except that a column's
   * off-type cells are left out of the vector pass and appended to the same column's entry as what
   * they are (a number in a text column is a number).
   */
  void trackInto(DatasetProfile profile) {
    int rows = root.getRowCount();
    if (offType.isEmpty()) {
      profile.trackDataframe(root);
      return;
    }
    BitSet[] off = new BitSet[vectors.length];
    for (CsvBatchReader.OffTypeValue o : offType) {
      if (off[o.column()] == null) {
        off[o.column()] = new BitSet(rows);
      }
      off[o.column()].set(o.row());
    }
    for (int c = 0; c < vectors.length; c++) {
      FieldVector v = vectors[c];
      if (off[c] == null) {
        profile.trackColumn(v.getName(), v, rows, null);
        continue;
      }
      // the vector holds the off-type cells as nulls: profile a copy without them
      try (FieldVector kept = v.getField().createVector(allocator)) {
        kept.allocateNew();
        int n = 0;
        for (int i = off[c].nextClearBit(0); i < rows; i = off[c].nextClearBit(i + 1)) {
          kept.copyFromSafe(i, n++, v);
        }
        kept.setValueCount(n);
        profile.trackColumn(v.getName(), kept, n, null);
      }
    }
    for (CsvBatchReader.OffTypeValue o : offType) {
      profile.column(names.get(o.column())).appendValue(o.value()); // core's value table decides what it is
    }
  }

  @Override
  public void close() {
    root.close();
  }
}
