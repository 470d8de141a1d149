package dev.loupe.readers;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page decompression for reading Parquet without Hadoop's codec machinery. Parquet's own
 * {@link CodecFactory} builds a Hadoop {@code Configuration} for its first codec, which parses
 * Hadoop's XML defaults (Woodstox, about 0.1 s of every start) and then decompresses through
 * Hadoop streams. The three codecs nearly every writer uses (ZSTD, SNAPPY, GZIP) and
 * UNCOMPRESSED are decoded here straight from byte arrays by the same libraries Parquet would
 * use (zstd-jni, snappy-java, java.util.zip); any other codec (LZ4, LZ4_RAW, BROTLI, LZO) goes to
 * Parquet's factory, created only then. One instance per file reader (one thread).
 */
final class ParquetCodecs implements CompressionCodecFactory {
  private CodecFactory fallback;

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return fallback().getCompressor(codec); // never used for reading
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return switch (codec) {
      case UNCOMPRESSED, ZSTD, SNAPPY, GZIP -> new Direct(codec);
      default -> fallback().getDecompressor(codec);
    };
  }

  private CodecFactory fallback() {
    if (fallback == null) {
      fallback = new CodecFactory(new PlainParquetConfiguration(), 0);
    }
    return fallback;
  }

  @Override
  public void release() {
    if (fallback != null) {
      fallback.release();
    }
  }

  /** Decompresses one page from heap bytes into a new array of exactly the page's stated size. */
  static byte[] decompress(CompressionCodecName codec, byte[] in, int offset, int length, int uncompressedSize)
      throws IOException {
    byte[] out = new byte[uncompressedSize];
    int n;
    switch (codec) {
      case UNCOMPRESSED -> {
        if (length != uncompressedSize) {
          throw new IOException("an uncompressed page of " + length + " bytes states " + uncompressedSize);
        }
        System.arraycopy(in, offset, out, 0, length);
        n = length;
      }
      case ZSTD -> {
        long r;
        try {
          r = Zstd.decompressByteArray(out, 0, uncompressedSize, in, offset, length);
        } catch (ZstdException e) {
          throw new IOException("ZSTD page: " + e.getMessage(), e);
        }
        if (Zstd.isError(r)) {
          throw new IOException("ZSTD page: " + Zstd.getErrorName(r));
        }
        n = (int) r;
      }
      case SNAPPY -> {
        if (!Snappy.isValidCompressedBuffer(in, offset, length)
            || Snappy.uncompressedLength(in, offset, length) != uncompressedSize) {
          throw new IOException("SNAPPY page: not valid Snappy data of " + uncompressedSize + " bytes");
        }
        n = Snappy.uncompress(in, offset, length, out, 0);
      }
      case GZIP -> {
        try (InputStream z = new GZIPInputStream(new java.io.ByteArrayInputStream(in, offset, length))) {
          n = z.readNBytes(out, 0, uncompressedSize);
          if (z.read() != -1) {
            throw new IOException("GZIP page: more than the stated " + uncompressedSize + " bytes");
          }
        }
      }
      default -> throw new IllegalArgumentException(codec + " is not decoded here");
    }
    if (n != uncompressedSize) {
      throw new IOException(codec + " page: " + n + " bytes decompressed, the page header states " + uncompressedSize);
    }
    return out;
  }

  private record Direct(CompressionCodecName codec) implements BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      if (codec == CompressionCodecName.UNCOMPRESSED) {
        return bytes;
      }
      byte[] in = bytes.toByteArray();
      return BytesInput.from(ParquetCodecs.decompress(codec, in, 0, in.length, uncompressedSize));
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
        throws IOException {
      byte[] in = new byte[compressedSize];
      input.duplicate().get(in);
      output.put(ParquetCodecs.decompress(codec, in, 0, compressedSize, uncompressedSize));
    }

    @Override
    public void release() {}
  }
}
