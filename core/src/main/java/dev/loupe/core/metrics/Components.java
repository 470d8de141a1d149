package dev.loupe.core.metrics;

import dev.loupe.core.ProfileFormatException;
import dev.loupe.proto.v1.MetricComponentMessage;
import dev.loupe.proto.v1.MetricComponentMessage.ValueCase;
import java.util.Map;

/** Reading and writing single component values, with errors that name the component. */
final class Components {
  /** whylogs' type ids: 0 for every plain component, 1 and 2 for the min and max integrals. */
  static final int TYPE_MIN = 1;
  static final int TYPE_MAX = 2;

  private Components() {}

  static MetricComponentMessage n(long value) {
    return MetricComponentMessage.newBuilder().setN(value).build();
  }

  static MetricComponentMessage n(long value, int typeId) {
    return MetricComponentMessage.newBuilder().setTypeId(typeId).setN(value).build();
  }

  static MetricComponentMessage d(double value) {
    return MetricComponentMessage.newBuilder().setD(value).build();
  }

  static long readN(Map<String, MetricComponentMessage> c, String name, long missing, String where)
      throws ProfileFormatException {
    MetricComponentMessage m = c.get(name);
    if (m == null || m.getValueCase() == ValueCase.VALUE_NOT_SET) {
      return missing;
    }
    if (m.getValueCase() != ValueCase.N) {
      throw wrongKind(where, name, "an integer (n)", m);
    }
    return m.getN();
  }

  static double readD(Map<String, MetricComponentMessage> c, String name, double missing, String where)
      throws ProfileFormatException {
    MetricComponentMessage m = c.get(name);
    if (m == null || m.getValueCase() == ValueCase.VALUE_NOT_SET) {
      return missing;
    }
    if (m.getValueCase() == ValueCase.N) {
      return m.getN(); // tolerate writers that store an integral mean
    }
    if (m.getValueCase() != ValueCase.D) {
      throw wrongKind(where, name, "a floating-point value (d)", m);
    }
    return m.getD();
  }

  static byte[] readSketch(Map<String, MetricComponentMessage> c, String name, ValueCase kind, String where)
      throws ProfileFormatException {
    MetricComponentMessage m = c.get(name);
    if (m == null || m.getValueCase() == ValueCase.VALUE_NOT_SET) {
      return null;
    }
    if (m.getValueCase() != kind) {
      throw wrongKind(where, name, "a " + kind.name().toLowerCase() + " sketch", m);
    }
    switch (kind) {
      case KLL:
        return m.getKll().getSketch().toByteArray();
      case HLL:
        return m.getHll().getSketch().toByteArray();
      case FREQUENT_ITEMS:
        return m.getFrequentItems().getSketch().toByteArray();
      default:
        throw new IllegalArgumentException("not a sketch kind: " + kind);
    }
  }

  static ProfileFormatException wrongKind(String where, String name, String expected, MetricComponentMessage m) {
    return new ProfileFormatException(where + ", component '" + name + "': expected " + expected
        + " but found " + m.getValueCase().name().toLowerCase()
        + "; the file was written by a tool with a different metric layout");
  }

  static ProfileFormatException badSketch(String where, String name, String sketch, Throwable cause) {
    String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ProfileFormatException(where + ", component '" + name + "': bad " + sketch
        + " sketch bytes (" + detail + "); the file is corrupt or truncated", cause);
  }
}
