package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the report in a real headless browser (Debian's chromium, /usr/bin/chromium) with every
 * network feature off: the page must render (a screenshot with real content) and its DOM must hold
 * the column names as text. Runs when chromium is installed; skipped otherwise, except in CI
 * (environment CI=true, which .ci/run's machine sets and where .ci/run installs chromium) or with
 * {@code -Dloupe.browser=true}: there a missing browser is a failure.
 */
class ReportBrowserTest {
  static final Path CHROMIUM = Path.of(System.getProperty("loupe.chromium", "/usr/bin/chromium"));
  static final int WIDTH = 1366;
  static final int HEIGHT = 900;

  @TempDir
  static Path dir;
  static Path report;

  @BeforeAll
  static void writeReport() throws IOException {
    requireChromium();
    report = dir.resolve("report.html");
    HtmlReport.write(report, HtmlReportTest.TARGET, Optional.of(HtmlReportTest.REFERENCE));
  }

  /** Fails (in CI, or with -Dloupe.browser=true) or skips the calling test when chromium is missing. */
  static void requireChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      if (Boolean.getBoolean("loupe.browser") || "true".equals(System.getenv("CI"))) {
        fail(CHROMIUM + " is not installed, and CI=true or -Dloupe.browser=true asks for the headless-browser "
            + "test: install Debian's chromium (apt-get install -y chromium)");
      }
      Assumptions.assumeTrue(false, CHROMIUM + " is not installed; the headless-browser test is skipped "
          + "(apt-get install -y chromium to run it)");
    }
  }

  static String chromium(Path profileDir, String... args) throws IOException, InterruptedException {
    return chromium(report, profileDir, args);
  }

  /** Runs headless chromium on {@code page} with {@code args}; its standard output. */
  static String chromium(Path page, Path profileDir, String... args) throws IOException, InterruptedException {
    Path work = profileDir.getParent();
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--disable-dev-shm-usage", "--user-data-dir=" + profileDir,
        "--window-size=" + WIDTH + "," + HEIGHT));
    cmd.addAll(List.of(args));
    cmd.add(page.toUri().toString());
    Path stdout = Files.createTempFile(work, "chromium", ".out");
    Path stderr = Files.createTempFile(work, "chromium", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("chromium did not finish within 180 s: " + cmd + "\n" + Files.readString(stderr));
    }
    assertEquals(0, p.exitValue(), () -> "chromium failed: " + cmd + "\n" + read(stderr));
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  @Test
  void theReportRendersToANonBlankScreenshot() throws Exception {
    Path png = dir.resolve("report.png");
    chromium(Files.createTempDirectory(dir, "profile"), "--hide-scrollbars", "--screenshot=" + png);
    assertTrue(Files.size(png) > 10_000, "screenshot " + png + " is only " + Files.size(png) + " bytes");
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(WIDTH, img.getWidth());
    assertEquals(HEIGHT, img.getHeight());
    Set<Integer> colors = new HashSet<>();
    long dark = 0;
    long blue = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colors.add(rgb);
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r + g + b < 200) {
          dark++; // text
        }
        if (b > 200 && r < 80 && g < 130) {
          blue++; // the profile's bars (#2563eb)
        }
      }
    }
    assertTrue(colors.size() > 50, "only " + colors.size() + " colours: the page looks blank");
    assertTrue(dark > 500, "hardly any text on screen (" + dark + " dark pixels)");
    assertTrue(blue > 0 || dark > 0, "no chart pixels");
    Path keep = Path.of(System.getProperty("loupe.report.screenshot", ""));
    if (!keep.toString().isEmpty()) {
      Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(report, keep.resolveSibling("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void theRenderedDomHoldsTheColumnNamesAsText() throws Exception {
    String dom = chromium(Files.createTempDirectory(dir, "profile"), "--dump-dom");
    assertTrue(dom.contains("<section id=\"drift\">"), "drift section rendered");
    for (String col : new String[] {"amount", "quantity", "country", "express", "note"}) {
      assertTrue(dom.contains(">" + col + "</a>"), "column " + col + " in the rendered DOM");
    }
    // the hostile column name is text in the DOM, never an element
    assertTrue(dom.contains("&lt;script&gt;alert('col')&lt;/script&gt;"), "escaped column name as text");
    assertFalse(dom.contains("<script>alert"), "no injected script element");
    assertFalse(dom.contains("<img"), "no injected image element");
    assertTrue(dom.contains("<svg"), "charts rendered");
  }
}
