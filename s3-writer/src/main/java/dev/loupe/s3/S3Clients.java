package dev.loupe.s3;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds S3 clients: AWS's default credential and region chains, or an endpoint override with
 * path-style access for S3-compatible stores (MinIO, Ceph, s3proxy, ...).
 */
public final class S3Clients {
  private S3Clients() {}

  /** AWS S3 with the default credential and region chains. */
  public static S3Client standard() {
    return S3Client.builder().credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
  }

  /**
   * An S3-compatible store at {@code endpoint} (path-style). Region defaults to us-east-1 when
   * null; credentials to the default chain when null. Checksums are only sent when an operation
   * requires them, since many compatible stores reject the newer checksum trailers.
   */
  public static S3Client compatible(URI endpoint, String region, AwsCredentialsProvider credentials) {
    S3ClientBuilder b = S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.of(region == null ? "us-east-1" : region))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(credentials == null ? DefaultCredentialsProvider.builder().build() : credentials);
    return b.build();
  }

  /** {@link #compatible} when {@code endpoint} is set, else {@link #standard()}. */
  public static S3Client forEndpoint(String endpoint) {
    return endpoint == null || endpoint.isBlank() ? standard() : compatible(URI.create(endpoint), null, null);
  }
}
