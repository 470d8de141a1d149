package dev.loupe.core.constraints;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a constraints file (schema in {@code docs/constraints.md}):
 *
 * <pre>
 * reference: reference.bin        # optional; relative to the file
 * constraints:
 *   - column: age
 *     check: value_between
 *     min: 0
 *     max: 120
 * </pre>
 *
 * The YAML is read as a stream so that every error can name its line and field.
 */
final class ConstraintsYaml {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

  /** The fields each check takes besides {@code column} and {@code check}; "!" marks required ones. */
  static final Map<String, List<String>> CHECKS = new LinkedHashMap<>();

  static {
    CHECKS.put("value_between", List.of("min", "max"));
    CHECKS.put("non_negative", List.of());
    CHECKS.put("mean_between", List.of("min", "max"));
    CHECKS.put("stddev_between", List.of("min", "max"));
    CHECKS.put("quantile_between", List.of("!quantile", "min", "max"));
    CHECKS.put("no_missing_values", List.of());
    CHECKS.put("null_fraction_below", List.of("!max"));
    CHECKS.put("distinct_count_between", List.of("min", "max"));
    CHECKS.put("frequent_strings_in", List.of("!values"));
    CHECKS.put("type_is", List.of("!type"));
    CHECKS.put("type_fraction_between", List.of("!type", "min", "max"));
    CHECKS.put("is_probably_unique", List.of());
    CHECKS.put("within_reference", List.of("!statistic", "percent", "absolute"));
    CHECKS.put("no_drift", List.of("allow_possible_drift"));
  }

  private ConstraintsYaml() {}

  /** A value with the line it starts on. */
  private record Field(JsonNode value, int line) {}

  static ConstraintSet parse(String text, String source) throws ConstraintsFileException {
    List<Constraint> out = new ArrayList<>();
    Path reference = null;
    boolean sawConstraints = false;
    try (JsonParser p = YAML.createParser(text)) {
      p.setCodec(MAPPER);
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new ConstraintsFileException(source, 1, null, "the file is empty; expected a mapping with a 'constraints' list");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new ConstraintsFileException(source, line(p), null, "expected a mapping with a 'constraints' list at the top, found "
            + describe(t));
      }
      Set<String> seen = new LinkedHashSet<>();
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        int keyLine = line(p);
        if (!seen.add(key)) {
          throw new ConstraintsFileException(source, keyLine, key, "appears twice");
        }
        JsonToken v = p.nextToken();
        switch (key) {
          case "reference" -> {
            if (v != JsonToken.VALUE_STRING || p.getText().isBlank()) {
              throw new ConstraintsFileException(source, line(p), key, "expected the path of a reference profile, found "
                  + describe(v));
            }
            reference = Path.of(p.getText());
          }
          case "constraints" -> {
            sawConstraints = true;
            if (v != JsonToken.START_ARRAY) {
              throw new ConstraintsFileException(source, line(p), key, "expected a list of constraints, found " + describe(v));
            }
            int index = 0;
            while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
              out.add(entry(p, v, index++, source));
            }
          }
          default -> throw new ConstraintsFileException(source, keyLine, key,
              "unknown top-level field; expected 'constraints' (and optionally 'reference')");
        }
      }
    } catch (ConstraintsFileException e) {
      throw e;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      throw new ConstraintsFileException(source, loc == null ? 0 : loc.getLineNr(), null,
          "not valid YAML: " + yamlProblem(e));
    } catch (IOException e) {
      throw new ConstraintsFileException(source, 0, null, "cannot be read: " + e.getMessage());
    }
    if (!sawConstraints) {
      throw new ConstraintsFileException(source, 1, "constraints", "missing; expected a list of constraints");
    }
    ConstraintSet set = ConstraintSet.of(out);
    return reference == null ? set : set.withReference(reference);
  }

  private static Constraint entry(JsonParser p, JsonToken t, int index, String source) throws IOException {
    String where = "constraints[" + index + "]";
    int entryLine = line(p);
    if (t != JsonToken.START_OBJECT) {
      throw new ConstraintsFileException(source, entryLine, where,
          "expected a mapping such as {column: age, check: non_negative}, found " + describe(t));
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      int keyLine = line(p);
      p.nextToken();
      JsonNode value = p.readValueAsTree();
      if (fields.put(key, new Field(value, keyLine)) != null) {
        throw new ConstraintsFileException(source, keyLine, where + "." + key, "appears twice");
      }
    }
    Field column = fields.get("column");
    Field check = fields.get("check");
    if (column == null) {
      throw new ConstraintsFileException(source, entryLine, where + ".column", "missing; every constraint names its column");
    }
    if (!column.value().isTextual() || column.value().asText().isEmpty()) {
      throw new ConstraintsFileException(source, column.line(), where + ".column", "expected a column name, found "
          + show(column.value()));
    }
    if (check == null) {
      throw new ConstraintsFileException(source, entryLine, where + ".check", "missing; expected one of " + CHECKS.keySet());
    }
    String name = check.value().asText();
    List<String> spec = CHECKS.get(name);
    if (!check.value().isTextual() || spec == null) {
      throw new ConstraintsFileException(source, check.line(), where + ".check", "unknown check " + show(check.value())
          + "; expected one of " + CHECKS.keySet());
    }
    Set<String> allowed = new LinkedHashSet<>();
    for (String f : spec) {
      allowed.add(f.replace("!", ""));
      if (f.startsWith("!") && !fields.containsKey(f.substring(1))) {
        throw new ConstraintsFileException(source, entryLine, where + "." + f.substring(1), "missing; check '" + name
            + "' needs it");
      }
    }
    for (Map.Entry<String, Field> e : fields.entrySet()) {
      String k = e.getKey();
      if (!k.equals("column") && !k.equals("check") && !allowed.contains(k)) {
        throw new ConstraintsFileException(source, e.getValue().line(), where + "." + k, "check '" + name
            + "' does not take this field; it takes " + (allowed.isEmpty() ? "no fields besides column and check"
            : allowed));
      }
    }
    Values v = new Values(fields, source, where);
    String col = column.value().asText();
    try {
      return switch (name) {
        case "value_between" -> Constraints.valueBetween(col, v.number("min"), v.number("max"));
        case "non_negative" -> Constraints.nonNegative(col);
        case "mean_between" -> Constraints.meanBetween(col, v.number("min"), v.number("max"));
        case "stddev_between" -> Constraints.stddevBetween(col, v.number("min"), v.number("max"));
        case "quantile_between" -> Constraints.quantileBetween(col, v.number("quantile"), v.number("min"), v.number("max"));
        case "no_missing_values" -> Constraints.noMissingValues(col);
        case "null_fraction_below" -> Constraints.nullFractionBelow(col, v.number("max"));
        case "distinct_count_between" -> Constraints.distinctCountBetween(col, v.integer("min"), v.integer("max"));
        case "frequent_strings_in" -> Constraints.frequentStringsIn(col, v.strings("values"));
        case "type_is" -> Constraints.typeIs(col, v.text("type"));
        case "type_fraction_between" -> Constraints.typeFractionBetween(col, v.text("type"), v.number("min"), v.number("max"));
        case "is_probably_unique" -> Constraints.isProbablyUnique(col);
        case "within_reference" -> Constraints.withinReference(col, v.text("statistic"), v.number("percent"),
            v.number("absolute"));
        case "no_drift" -> Constraints.noDrift(col, v.bool("allow_possible_drift", true));
        default -> throw new IllegalStateException("check table and switch disagree on '" + name + "'");
      };
    } catch (IllegalArgumentException e) {
      throw new ConstraintsFileException(source, entryLine, where, e.getMessage());
    }
  }

  /** Typed access to a constraint's fields, with errors that name the line and field. */
  private record Values(Map<String, Field> fields, String source, String where) {
    Double number(String key) throws ConstraintsFileException {
      Field f = fields.get(key);
      if (f == null || f.value().isNull()) {
        return null;
      }
      if (!f.value().isNumber()) {
        throw new ConstraintsFileException(source, f.line(), where + "." + key, "expected a number, found " + show(f.value()));
      }
      return f.value().asDouble();
    }

    Long integer(String key) throws ConstraintsFileException {
      Field f = fields.get(key);
      if (f == null || f.value().isNull()) {
        return null;
      }
      if (!f.value().isIntegralNumber()) {
        throw new ConstraintsFileException(source, f.line(), where + "." + key, "expected a whole number, found "
            + show(f.value()));
      }
      return f.value().asLong();
    }

    String text(String key) throws ConstraintsFileException {
      Field f = fields.get(key);
      if (f == null || !f.value().isTextual()) {
        throw new ConstraintsFileException(source, f == null ? 0 : f.line(), where + "." + key, "expected a string, found "
            + (f == null ? "nothing" : show(f.value())));
      }
      return f.value().asText();
    }

    boolean bool(String key, boolean dflt) throws ConstraintsFileException {
      Field f = fields.get(key);
      if (f == null) {
        return dflt;
      }
      if (!f.value().isBoolean()) {
        throw new ConstraintsFileException(source, f.line(), where + "." + key, "expected true or false, found "
            + show(f.value()));
      }
      return f.value().asBoolean();
    }

    Set<String> strings(String key) throws ConstraintsFileException {
      Field f = fields.get(key);
      if (f == null || !f.value().isArray()) {
        throw new ConstraintsFileException(source, f == null ? 0 : f.line(), where + "." + key,
            "expected a list of values such as [NZ, AU], found " + (f == null ? "nothing" : show(f.value())));
      }
      Set<String> out = new LinkedHashSet<>();
      int i = 0;
      for (JsonNode n : f.value()) {
        if (n.isTextual() || n.isIntegralNumber()) {
          out.add(n.asText()); // integers are held as decimal strings, as frequent items store them
        } else {
          throw new ConstraintsFileException(source, f.line(), where + "." + key + "[" + i + "]",
              "expected a string, found " + show(n) + " (quote it: frequent items are strings)");
        }
        i++;
      }
      return out;
    }
  }

  private static int line(JsonParser p) {
    JsonLocation loc = p.currentTokenLocation();
    return loc == null ? 0 : loc.getLineNr();
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the file";
    }
    return switch (t) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "a mapping";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "nothing (null)";
      default -> t.toString();
    };
  }

  private static String show(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "nothing (null)";
    }
    if (n.isTextual()) {
      return "'" + n.asText() + "'";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "a mapping";
    }
    return n.toString();
  }

  /**
   * The YAML parser's problem on one line, with where it is and what it was parsing: "expected ',' or
   * '}', but got <stream end> at line 2, column 1 (while parsing a flow mapping from line 1, column 16)"
   * rather than SnakeYAML's multi-line excerpt with a caret.
   */
  static String yamlProblem(JsonProcessingException e) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblem() != null) {
      StringBuilder b = new StringBuilder(m.getProblem().strip());
      if (m.getProblemMark() != null) {
        b.append(" at line ").append(m.getProblemMark().getLine() + 1).append(", column ")
            .append(m.getProblemMark().getColumn() + 1);
      }
      if (m.getContext() != null) {
        b.append(" (").append(m.getContext().strip());
        if (m.getContextMark() != null) {
          b.append(" from line ").append(m.getContextMark().getLine() + 1).append(", column ")
              .append(m.getContextMark().getColumn() + 1);
        }
        b.append(')');
      }
      return b.toString().replaceAll("\\s*\\R\\s*", " ");
    }
    return e.getOriginalMessage().strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
