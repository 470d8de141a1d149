package dev.loupe.s3;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Profiles stored in S3: list the ones under a prefix, read one, merge all of them (for example a
 * day of hourly windows into one daily profile), or put one.
 */
public final class S3Profiles {
  private final S3Client client;

  public S3Profiles(S3Client client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** Keys of the profiles ({@code .bin}) under {@code prefix}, in key order. */
  public List<String> list(String bucket, String prefix) throws IOException {
    List<String> keys = new ArrayList<>();
    String token = null;
    try {
      do {
        ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder()
            .bucket(bucket).prefix(prefix).continuationToken(token).build());
        for (S3Object o : page.contents()) {
          if (o.key().endsWith(".bin")) {
            keys.add(o.key());
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (S3Exception e) {
      throw new IOException("listing s3://" + bucket + "/" + prefix + " failed: " + describe(e), e);
    }
    keys.sort(null);
    return keys;
  }

  public ProfileView read(String bucket, String key) throws IOException {
    ResponseBytes<GetObjectResponse> bytes;
    try {
      bytes = client.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build());
    } catch (S3Exception e) {
      throw new IOException("reading s3://" + bucket + "/" + key + " failed: " + describe(e), e);
    }
    return ProfileView.read(bytes.asByteArray(), "s3://" + bucket + "/" + key);
  }

  /** The merge of every profile under {@code prefix}; the empty profile when there are none. */
  public ProfileView mergeAll(String bucket, String prefix) throws IOException {
    ProfileView merged = ProfileView.empty();
    for (String key : list(bucket, prefix)) {
      merged = merged.merge(read(bucket, key));
    }
    return merged;
  }

  /** Writes one profile to {@code key}, with user metadata. */
  public void put(String bucket, String key, ProfileView view, Map<String, String> metadata) throws IOException {
    put(bucket, key, view.toBytes(), metadata);
  }

  void put(String bucket, String key, byte[] bytes, Map<String, String> metadata) throws IOException {
    try {
      client.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/octet-stream")
          .metadata(metadata).build(), RequestBody.fromBytes(bytes));
    } catch (S3Exception e) {
      throw new IOException("uploading s3://" + bucket + "/" + key + " failed: " + describe(e), e);
    }
  }

  static String describe(S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return "HTTP " + e.statusCode() + (code == null ? "" : " " + code) + " (" + e.getMessage() + ")";
  }

}
