package dev.loupe.core;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A profile's header: when the data is from (dataset timestamp), when the profile was made
 * (creation timestamp), and free-form tags and metadata.
 *
 * <p>Merge rule: each timestamp is the earlier of the two that are set; tags and metadata are the
 * union of both maps. When both sides hold a key with different values, the lexicographically
 * smaller value wins: an arbitrary but order-free choice, so merging stays commutative and
 * associative whatever order workers finish in.
 */
public final class ProfileProperties {
  public static final ProfileProperties EMPTY = new ProfileProperties(null, null, Map.of(), Map.of());

  private final Instant datasetTimestamp;
  private final Instant creationTimestamp;
  private final Map<String, String> tags;
  private final Map<String, String> metadata;

  private ProfileProperties(Instant datasetTimestamp, Instant creationTimestamp,
      Map<String, String> tags, Map<String, String> metadata) {
    this.datasetTimestamp = datasetTimestamp;
    this.creationTimestamp = creationTimestamp;
    this.tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  public static ProfileProperties of(Instant datasetTimestamp, Instant creationTimestamp,
      Map<String, String> tags, Map<String, String> metadata) {
    return new ProfileProperties(truncate(datasetTimestamp), truncate(creationTimestamp),
        Objects.requireNonNull(tags, "tags"), Objects.requireNonNull(metadata, "metadata"));
  }

  /** Timestamps are stored in whole milliseconds, as the file holds them. */
  private static Instant truncate(Instant t) {
    return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
  }

  public Optional<Instant> datasetTimestamp() {
    return Optional.ofNullable(datasetTimestamp);
  }

  public Optional<Instant> creationTimestamp() {
    return Optional.ofNullable(creationTimestamp);
  }

  public Map<String, String> tags() {
    return tags;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public ProfileProperties withDatasetTimestamp(Instant t) {
    return of(t, creationTimestamp, tags, metadata);
  }

  public ProfileProperties withCreationTimestamp(Instant t) {
    return of(datasetTimestamp, t, tags, metadata);
  }

  public ProfileProperties withTag(String key, String value) {
    Map<String, String> t = new TreeMap<>(tags);
    t.put(key, value);
    return of(datasetTimestamp, creationTimestamp, t, metadata);
  }

  public ProfileProperties withMetadata(String key, String value) {
    Map<String, String> m = new TreeMap<>(metadata);
    m.put(key, value);
    return of(datasetTimestamp, creationTimestamp, tags, m);
  }

  public ProfileProperties merge(ProfileProperties o) {
    if (o == EMPTY || o.equals(EMPTY)) {
      return this;
    }
    if (this == EMPTY || this.equals(EMPTY)) {
      return o;
    }
    return new ProfileProperties(earlier(datasetTimestamp, o.datasetTimestamp),
        earlier(creationTimestamp, o.creationTimestamp), union(tags, o.tags), union(metadata, o.metadata));
  }

  private static Instant earlier(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }

  private static Map<String, String> union(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new TreeMap<>(a);
    b.forEach((k, v) -> out.merge(k, v, (x, y) -> x.compareTo(y) <= 0 ? x : y));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProfileProperties p
        && Objects.equals(datasetTimestamp, p.datasetTimestamp)
        && Objects.equals(creationTimestamp, p.creationTimestamp)
        && tags.equals(p.tags) && metadata.equals(p.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(datasetTimestamp, creationTimestamp, tags, metadata);
  }

  @Override
  public String toString() {
    return "ProfileProperties[dataset=" + datasetTimestamp + ", created=" + creationTimestamp
        + ", tags=" + tags + ", metadata=" + metadata + "]";
  }
}
