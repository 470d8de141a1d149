package dev.loupe.s3;

import dev.loupe.core.ProfileView;
import dev.loupe.core.monitor.HistorySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A profile history under an S3 prefix (what {@link S3Writer} uploads), for
 * {@link dev.loupe.core.monitor.History}: keys are listed through {@link S3Profiles#list} and
 * returned relative to the prefix, so the key template matches them as it rendered them.
 */
public final class S3History implements HistorySource {
  private final S3Profiles profiles;
  private final String bucket;
  private final String prefix;

  /** {@code prefix} is the writer's prefix (with or without a trailing '/'), under which the template's keys lie. */
  public S3History(S3Profiles profiles, String bucket, String prefix) {
    this.profiles = Objects.requireNonNull(profiles, "profiles");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    String p = prefix == null ? "" : prefix;
    this.prefix = p.isEmpty() || p.endsWith("/") ? p : p + "/";
  }

  @Override
  public List<String> keys() throws IOException {
    List<String> out = new ArrayList<>();
    for (String key : profiles.list(bucket, prefix)) {
      out.add(key.substring(prefix.length()));
    }
    return out;
  }

  @Override
  public ProfileView read(String key) throws IOException {
    return profiles.read(bucket, prefix + key);
  }

  @Override
  public String describe() {
    return "s3://" + bucket + "/" + prefix;
  }
}
