package dev.loupe.s3;

import java.net.URI;
import java.util.Objects;

/** A bucket and a key (or key prefix), parsed from {@code s3://bucket/key}. */
public record S3Location(String bucket, String key) {
  public S3Location {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("empty bucket name");
    }
  }

  public static boolean isS3(String s) {
    return s.startsWith("s3://");
  }

  /** Parses {@code s3://bucket/some/key}; the key may be empty or end with '/' for a prefix. */
  public static S3Location parse(String s) {
    if (!isS3(s)) {
      throw new IllegalArgumentException("'" + s + "' is not an S3 location; expected s3://bucket/key");
    }
    String rest = s.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("'" + s + "' has no bucket; expected s3://bucket/key");
    }
    return new S3Location(bucket, key);
  }

  public URI toUri() {
    return URI.create("s3://" + bucket + "/" + key);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
