package dev.loupe.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Java values into a column tracker, and records and JavaBeans into named values.
 *
 * <p>Kinds: Long, Integer, Short, Byte, atomic integers and BigIntegers that fit 64 bits are
 * integral; Double, Float, BigDecimal and other Numbers are fractional; Boolean is boolean;
 * CharSequence and Character are strings; java.time instants, dates and date-times and
 * java.util.Date are times; primitive numeric arrays and collections of numbers are tensors;
 * anything else (byte arrays, nested maps, ...) is an object. The whole table is {@link ValueKind}.
 */
final class RowValues {
  private RowValues() {}

  static void add(ColumnTracker t, Object v) {
    if (v == null) {
      t.addNulls(1);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof AtomicLong || v instanceof AtomicInteger) {
      t.addLong(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      t.addDouble(((Number) v).doubleValue());
    } else if (v instanceof CharSequence || v instanceof Character) {
      t.addString(v.toString());
    } else if (v instanceof Boolean b) {
      t.addBooleans(b ? 1 : 0, b ? 0 : 1);
    } else if (v instanceof BigInteger b) {
      if (b.bitLength() < 64) {
        t.addLong(b.longValue());
      } else {
        t.addDouble(b.doubleValue());
      }
    } else if (v instanceof BigDecimal || v instanceof Number) {
      t.addDouble(((Number) v).doubleValue());
    } else {
      long ms = epochMillis(v);
      if (ms != NOT_TIME) {
        t.addTime(ms);
      } else if (isTensor(v)) {
        t.addTensors(1);
      } else {
        t.addObjects(1);
      }
    }
  }

  /** The {@link ValueKind} {@link #add} tracks {@code v} as. */
  static ValueKind kindOf(Object v) {
    if (v == null) {
      return ValueKind.NULL;
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof AtomicLong || v instanceof AtomicInteger) {
      return ValueKind.INTEGRAL;
    } else if (v instanceof CharSequence || v instanceof Character) {
      return ValueKind.STRING;
    } else if (v instanceof Boolean) {
      return ValueKind.BOOLEAN;
    } else if (v instanceof BigInteger b) {
      return b.bitLength() < 64 ? ValueKind.INTEGRAL : ValueKind.FRACTIONAL;
    } else if (v instanceof Number) {
      return ValueKind.FRACTIONAL;
    } else if (epochMillis(v) != NOT_TIME) {
      return ValueKind.TIME;
    }
    return isTensor(v) ? ValueKind.TENSOR : ValueKind.OBJECT;
  }

  /** Returned by {@link #epochMillis} for a value that is not a point in time. */
  static final long NOT_TIME = Long.MIN_VALUE;

  /**
   * A point in time as epoch milliseconds (floored), or {@link #NOT_TIME}. A date is its UTC
   * midnight; a LocalDateTime is read as UTC. ({@code java.sql.Date} and {@code Timestamp} are Dates.)
   */
  static long epochMillis(Object v) {
    if (v instanceof Instant i) {
      return millis(i);
    } else if (v instanceof java.util.Date d) {
      return d.getTime();
    } else if (v instanceof LocalDate d) {
      return Math.multiplyExact(d.toEpochDay(), 86_400_000L);
    } else if (v instanceof LocalDateTime d) {
      return millis(d.toInstant(ZoneOffset.UTC));
    } else if (v instanceof OffsetDateTime d) {
      return millis(d.toInstant());
    } else if (v instanceof ZonedDateTime d) {
      return millis(d.toInstant());
    }
    return NOT_TIME;
  }

  private static long millis(Instant i) {
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1000L), i.getNano() / 1_000_000);
  }

  private static boolean isTensor(Object v) {
    if (v instanceof double[] || v instanceof float[] || v instanceof long[] || v instanceof int[]
        || v instanceof short[]) {
      return true;
    }
    if (v instanceof Collection<?> c && !c.isEmpty()) {
      for (Object o : c) {
        if (!(o instanceof Number)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  private static final ClassValue<List<Accessor>> ACCESSORS = new ClassValue<>() {
    @Override
    protected List<Accessor> computeValue(Class<?> type) {
      return accessorsOf(type);
    }
  };

  private record Accessor(String name, Method method) {}

  /** Calls {@code sink} with each property of a record (its components) or JavaBean (its getters). */
  static void forEachProperty(Object bean, BiConsumer<String, Object> sink) {
    for (Accessor a : ACCESSORS.get(bean.getClass())) {
      Object value;
      try {
        value = a.method.invoke(bean);
      } catch (IllegalAccessException e) {
        throw new IllegalArgumentException("cannot read property '" + a.name + "' of "
            + bean.getClass().getName() + ": " + e.getMessage() + "; make the class and its getter public", e);
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException("property '" + a.name + "' of " + bean.getClass().getName()
            + " threw " + e.getCause(), e.getCause());
      }
      sink.accept(a.name, value);
    }
  }

  private static List<Accessor> accessorsOf(Class<?> type) {
    List<Accessor> out = new ArrayList<>();
    if (type.isRecord()) {
      for (RecordComponent rc : type.getRecordComponents()) {
        Method m = rc.getAccessor();
        m.trySetAccessible();
        out.add(new Accessor(rc.getName(), m));
      }
      return Collections.unmodifiableList(out);
    }
    Map<String, Method> getters = new LinkedHashMap<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getReturnType() == void.class
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      String n = m.getName();
      String prop = null;
      if (n.startsWith("get") && n.length() > 3) {
        prop = n.substring(3);
      } else if (n.startsWith("is") && n.length() > 2
          && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class)) {
        prop = n.substring(2);
      }
      if (prop != null) {
        m.trySetAccessible();
        getters.put(decapitalize(prop), m);
      }
    }
    getters.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.add(new Accessor(e.getKey(), e.getValue())));
    return Collections.unmodifiableList(out);
  }

  private static String decapitalize(String s) {
    if (s.length() > 1 && Character.isUpperCase(s.charAt(1)) && Character.isUpperCase(s.charAt(0))) {
      return s; // "URL" stays "URL", as java.beans does
    }
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
