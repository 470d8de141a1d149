package dev.loupe.readers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import dev.loupe.core.Approx;
import dev.loupe.core.ProfileView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * {@link ParquetCodecs} decodes pages itself for UNCOMPRESSED, SNAPPY, GZIP and ZSTD and hands the
 * rest to Parquet's factory: the same table written with each codec profiles the same, and a page
 * that does not decompress to its stated size is an error, not a short page.
 */
class ParquetCodecsTest {
  @TempDir
  Path dir;

  @Test
  void everyCodecProfilesTheSameAsUncompressed() throws IOException {
    TestFiles.Table t = TestFiles.table(42, 5000, 300);
    Path plain = TestFiles.parquet(dir.resolve("plain.parquet"), t, CompressionCodecName.UNCOMPRESSED);
    ProfileView expected = FileProfiler.builder().threads(1).build().profile(plain);
    assertEquals(5000, expected.columns().get("id").counts().n());
    for (CompressionCodecName codec : new CompressionCodecName[] {CompressionCodecName.SNAPPY,
        CompressionCodecName.GZIP, CompressionCodecName.ZSTD, CompressionCodecName.LZ4_RAW}) {
      Path f = TestFiles.parquet(dir.resolve(codec + ".parquet"), t, codec);
      ProfileView v = FileProfiler.builder().threads(2).build().profile(f);
      Approx.assertColumnsOfViewsClose(expected, v, codec.name());
    }
  }

  @Test
  void decompressesEachCodecToTheStatedBytes() throws IOException {
    byte[] page = "a page of values, a page of values, a page of values".repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] zstd = Zstd.compress(page);
    byte[] snappy = Snappy.compress(page);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(page);
    }
    assertArrayEquals(page, ParquetCodecs.decompress(CompressionCodecName.ZSTD, zstd, 0, zstd.length, page.length));
    assertArrayEquals(page, ParquetCodecs.decompress(CompressionCodecName.SNAPPY, snappy, 0, snappy.length, page.length));
    byte[] g = gz.toByteArray();
    assertArrayEquals(page, ParquetCodecs.decompress(CompressionCodecName.GZIP, g, 0, g.length, page.length));
    assertArrayEquals(page, ParquetCodecs.decompress(CompressionCodecName.UNCOMPRESSED, page, 0, page.length, page.length));
  }

  @Test
  void aPageShorterOrLongerThanItsHeaderSaysIsAnError() throws IOException {
    byte[] page = new byte[4000];
    byte[] zstd = Zstd.compress(page);
    IOException e = assertThrows(IOException.class,
        () -> ParquetCodecs.decompress(CompressionCodecName.ZSTD, zstd, 0, zstd.length, page.length + 1));
    assertTrue(e.getMessage().contains("ZSTD page"), e.getMessage());
    byte[] snappy = Snappy.compress(page);
    assertThrows(IOException.class,
        () -> ParquetCodecs.decompress(CompressionCodecName.SNAPPY, snappy, 0, snappy.length, page.length - 1));
    byte[] garbage = {1, 2, 3, 4, 5, 6, 7, 8};
    assertThrows(IOException.class,
        () -> ParquetCodecs.decompress(CompressionCodecName.ZSTD, garbage, 0, garbage.length, 100));
    assertThrows(IOException.class,
        () -> ParquetCodecs.decompress(CompressionCodecName.UNCOMPRESSED, garbage, 0, garbage.length, 9));
  }
}
