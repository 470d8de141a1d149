package dev.loupe.core.metrics;



/**
 * The one place that knows how whylogs' KLL doubles bytes differ from Apache DataSketches Java's.
 *
 * <pre>
 * DataSketches Java 6.x compact KLL doubles, n >= 2 ("full" form)       whylogs v1, n >= 2
 * offset  size  field                                                    offset  size  field
 *  0       1    preamble ints = 5                                         0       1    preamble ints = 6
 *  1       1    serial version                                            1..19        as on the left
 *  2       1    family id (15 = KLL)
 *  3       1    flags
 *  4       2    k (uint16, little-endian)
 *  6       1    m
 *  7       1    unused
 *  8       8    n (int64)
 * 16       2    min k
 * 18       1    number of levels
 * 19       1    unused
 *                                                                         20      4    zero bytes
 * 20      ...   levels array, min, max, retained items                   24      ...  as left from 20
 * </pre>
 *
 * Empty sketches (8 bytes) and single-item sketches (preamble ints = 2) are identical in both.
 * Files written before mid-2022 hold standard preamble-5 sketches (k = 256); they are read as they are.
 */
final class KllWhylogsLayout {
  static final int JAVA_FULL_PREAMBLE = 5;
  static final int WHYLOGS_FULL_PREAMBLE = 6;
  static final int PAD_OFFSET = 20;
  static final int PAD_LENGTH = 4;

  private KllWhylogsLayout() {}

  /** DataSketches Java bytes to whylogs bytes. */
  static byte[] toWhylogs(byte[] java) {
    if (java.length <= PAD_OFFSET || java[0] != JAVA_FULL_PREAMBLE) {
      return java;
    }
    byte[] out = new byte[java.length + PAD_LENGTH];
    System.arraycopy(java, 0, out, 0, PAD_OFFSET);
    System.arraycopy(java, PAD_OFFSET, out, PAD_OFFSET + PAD_LENGTH, java.length - PAD_OFFSET);
    out[0] = WHYLOGS_FULL_PREAMBLE;
    return out;
  }

  /** whylogs bytes (either preamble) to DataSketches Java bytes. */
  static byte[] toJava(byte[] whylogs) {
    if (whylogs.length < PAD_OFFSET + PAD_LENGTH || whylogs[0] != WHYLOGS_FULL_PREAMBLE) {
      return whylogs;
    }
    byte[] out = new byte[whylogs.length - PAD_LENGTH];
    System.arraycopy(whylogs, 0, out, 0, PAD_OFFSET);
    System.arraycopy(whylogs, PAD_OFFSET + PAD_LENGTH, out, PAD_OFFSET, whylogs.length - PAD_OFFSET - PAD_LENGTH);
    out[0] = JAVA_FULL_PREAMBLE;
    return out;
  }


}
