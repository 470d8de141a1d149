package dev.loupe.s3;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (s3proxy, in-memory store) on 127.0.0.1, restartable on the same port.
 * Shared with other modules' tests through this module's test jar.
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS = "loupe-access";
  public static final String SECRET = "loupe-secret";

  private final BlobStore store;
  private S3Proxy proxy;
  private int port;

  public S3TestServer() throws Exception {
    store = BlobStores.create("transient", new Properties());
    start(0);
  }

  private void start(int onPort) throws Exception {
    proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:" + onPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
        .build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"STARTED".equals(proxy.getState()) && System.currentTimeMillis() < deadline) {
      Thread.sleep(5);
    }
    port = proxy.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public S3Client client() {
    return client(SECRET);
  }

  public S3Client client(String secret) {
    return S3Clients.compatible(endpoint(), "us-east-1",
        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, secret)));
  }

  /** Stops serving; the stored objects stay. */
  public void stop() throws Exception {
    proxy.stop();
  }

  /** Serves again on the same port with the same objects. */
  public void restart() throws Exception {
    start(port);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
