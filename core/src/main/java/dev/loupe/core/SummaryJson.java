package dev.loupe.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.core.metrics.FrequentItemsMetric;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The profile summary as JSON, behind {@link ProfileView#toJson()} (the one public way to it). This shape is a contract (other tools parse {@code --json}):
 *
 * <pre>
 * {"properties": {"dataset_timestamp": ms|null, "creation_timestamp": ms|null, "tags": {..}, "metadata": {..}},
 *  "columns": {NAME: {"type": "integral", "counts/n": 3, ..., "distribution/mean": 1.5 | null, ...,
 *                     "frequent_items/frequent_strings": [{"value": "a", "est": 2, "upper": 2, "lower": 2}]}}}
 * </pre>
 *
 * Non-finite doubles are written as the strings "NaN", "Infinity" and "-Infinity".
 */
final class SummaryJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SummaryJson() {}

  static ObjectNode toNode(ProfileView view) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode props = root.putObject("properties");
    ProfileProperties p = view.properties();
    putTime(props, "dataset_timestamp", p.datasetTimestamp().orElse(null));
    putTime(props, "creation_timestamp", p.creationTimestamp().orElse(null));
    ObjectNode tags = props.putObject("tags");
    p.tags().forEach(tags::put);
    ObjectNode meta = props.putObject("metadata");
    p.metadata().forEach(meta::put);
    ObjectNode cols = root.putObject("columns");
    view.summary().forEach((name, summary) -> cols.set(name, columnNode(summary)));
    return root;
  }

  static String toJson(ProfileView view) {
    try {
      return MAPPER.writeValueAsString(toNode(view));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("summary JSON cannot fail to serialize", e);
    }
  }

  static ObjectNode columnNode(Map<String, Object> summary) {
    ObjectNode node = MAPPER.createObjectNode();
    summary.forEach((k, v) -> {
      if (v == null) {
        node.putNull(k);
      } else if (v instanceof Long l) {
        node.put(k, l);
      } else if (v instanceof Integer i) {
        node.put(k, i);
      } else if (v instanceof Double d) {
        if (Double.isFinite(d)) {
          node.put(k, d);
        } else {
          node.put(k, d.toString());
        }
      } else if (v instanceof List<?> list) {
        ArrayNode arr = node.putArray(k);
        for (Object o : list) {
          if (o instanceof FrequentItemsMetric.Item it) {
            arr.addObject().put("value", it.value()).put("est", it.est()).put("upper", it.upper())
                .put("lower", it.lower());
          } else {
            arr.add(String.valueOf(o));
          }
        }
      } else {
        node.put(k, String.valueOf(v));
      }
    });
    return node;
  }

  private static void putTime(ObjectNode node, String key, Instant t) {
    if (t == null) {
      node.putNull(key);
    } else {
      node.put(key, t.toEpochMilli());
    }
  }
}
