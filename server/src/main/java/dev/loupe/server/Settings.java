package dev.loupe.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's settings table machinery: each {@link Setting} carries its environment name, its flag,
 * its help text and how its value is read, so a setting is written down once and the environment,
 * the flags and {@code --help} all come from that one entry ({@link ServerConfig#SETTINGS},
 * {@link KafkaSettings#SETTINGS}). Also the value parsers the entries share; their messages name the
 * setting and show the expected form.
 */
final class Settings {
  private Settings() {}

  /** How an entry reads its (trimmed, non-blank) value into the thing being configured. */
  @FunctionalInterface
  interface Reader<T> {
    void read(T target, String name, String value);
  }

  /**
   * One setting: its environment name, its flag (which takes a value unless it is a switch), a
   * one-line meaning and the default as text (for {@code --help}), and its reader.
   */
  record Setting<T>(String env, String flag, boolean takesValue, String meaning, String defaultText,
      Reader<T> reader) {}

  /** A setting whose flag takes a value: {@code --port 9000} or {@code --port=9000}. */
  static <T> Setting<T> value(String env, String flag, String meaning, String defaultText, Reader<T> reader) {
    return new Setting<>(env, flag, true, meaning, defaultText, reader);
  }

  /** A switch: {@code --disable-auth} alone means true; {@code --disable-auth=false} is accepted too. */
  static <T> Setting<T> toggle(String env, String flag, String meaning, String defaultText, Reader<T> reader) {
    return new Setting<>(env, flag, false, meaning, defaultText, reader);
  }

  /** Reads every setting of {@code table} that {@code env} sets (blank counts as unset), in table order. */
  static <T> void read(List<Setting<T>> table, Map<String, String> env, T target) {
    for (Setting<T> s : table) {
      String v = get(env, s.env());
      if (v != null) {
        s.reader().read(target, s.env(), v);
      }
    }
  }

  /** A variable's trimmed value; null when unset or blank. */
  static String get(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * The environment with each flag written over its variable (a flag wins). Unknown flags are an
   * error naming the known ones.
   */
  static Map<String, String> argsAsEnvironment(String[] args, Map<String, String> env, List<Setting<?>> table) {
    Map<String, Setting<?>> byFlag = new HashMap<>();
    table.forEach(o -> byFlag.put(o.flag(), o));
    Map<String, String> merged = new HashMap<>(env);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      String flag = eq > 0 ? a.substring(0, eq) : a;
      if (eq > 0) {
        value = a.substring(eq + 1);
      }
      Setting<?> o = byFlag.get(flag);
      if (o == null) {
        List<String> known = new ArrayList<>();
        table.forEach(x -> known.add(x.flag()));
        throw new IllegalArgumentException("unknown option '" + a + "'; known options: " + String.join(", ", known));
      }
      if (!o.takesValue()) {
        merged.put(o.env(), value == null ? "true" : value);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + flag + " needs a value (" + o.meaning() + ")");
        }
        value = args[++i];
      }
      merged.put(o.env(), value);
    }
    return merged;
  }

  /** The settings table as {@code --help} prints it: variable, flag, meaning, default. */
  static String usage(List<Setting<?>> table) {
    StringBuilder sb = new StringBuilder("Settings (environment variable / flag: meaning [default]):\n");
    for (Setting<?> o : table) {
      sb.append("  ").append(o.env()).append(" / ").append(o.flag()).append(o.takesValue() ? " VALUE" : "")
          .append("\n      ").append(o.meaning()).append(" [").append(o.defaultText()).append("]\n");
    }
    return sb.toString();
  }

  /** "500ms", "30s", "5m", "1h", "1d", or ISO-8601 ("PT1H"); never negative. */
  static Duration duration(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p") || s.startsWith("-p")) {
        return nonNegative(name, v, Duration.parse(v.trim().toUpperCase(Locale.ROOT)));
      }
      long mult;
      String num;
      if (s.endsWith("ms")) {
        mult = 1;
        num = s.substring(0, s.length() - 2);
      } else if (s.endsWith("s")) {
        mult = 1000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("m")) {
        mult = 60_000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("h")) {
        mult = 3_600_000;
        num = s.substring(0, s.length() - 1);
      } else if (s.endsWith("d")) {
        mult = 86_400_000;
        num = s.substring(0, s.length() - 1);
      } else {
        throw new NumberFormatException();
      }
      return nonNegative(name, v, Duration.ofMillis(Math.multiplyExact(Long.parseLong(num.trim()), mult)));
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(name)) {
        throw e;
      }
      throw new IllegalArgumentException(name + " '" + v + "' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1d");
    }
  }

  private static Duration nonNegative(String name, String v, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " '" + v + "' is negative");
    }
    return d;
  }

  /** "1048576", "512k", "64m", "1g" (a trailing b is allowed); positive. */
  static long bytes(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    long mult = 1;
    if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("k")) {
      mult = 1L << 10;
    } else if (s.endsWith("m")) {
      mult = 1L << 20;
    } else if (s.endsWith("g")) {
      mult = 1L << 30;
    }
    if (mult != 1) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Math.multiplyExact(Long.parseLong(s.trim()), mult);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a positive size; write e.g. 1048576, 512k, 64m or 1g");
    }
  }

  static int integer(String name, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
    }
  }

  /** true/1/yes or false/0/no, in any case. */
  static boolean bool(String name, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("1") || s.equals("yes")) {
      return true;
    }
    if (s.equals("false") || s.equals("0") || s.equals("no")) {
      return false;
    }
    throw new IllegalArgumentException(name + " '" + v + "' is not true or false");
  }
}
