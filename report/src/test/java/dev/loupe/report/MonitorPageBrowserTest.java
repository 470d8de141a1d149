package dev.loupe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor page in the same headless Chromium as {@link ReportBrowserTest} (and under the same
 * rule: skipped without chromium, except in CI or with -Dloupe.browser=true).
 */
class MonitorPageBrowserTest {
  @TempDir
  Path dir;

  @Test
  void theMonitorPageRendersItsChartsAndAlertMarks() throws Exception {
    ReportBrowserTest.requireChromium();
    Path page = dir.resolve("monitor.html");
    MonitorPage.write(page, "orders", MonitorPages.POINTS, MonitorPages.RESULT);
    String dom = ReportBrowserTest.chromium(page, Files.createTempDirectory(dir, "profile"), "--dump-dom");
    assertTrue(dom.contains("<section id=\"alerts\">"), "alerts rendered");
    assertTrue(dom.contains("id=\"col-email\""), "email's charts");
    assertTrue(dom.contains("<rect class=\"alert\""), "alert bands in the DOM");
    assertFalse(dom.contains("<script"), "no scripts");

    Path png = dir.resolve("monitor.png");
    ReportBrowserTest.chromium(page, Files.createTempDirectory(dir, "profile"), "--hide-scrollbars",
        "--screenshot=" + png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(ReportBrowserTest.WIDTH, img.getWidth());
    long red = 0;
    long blue = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        int r = rgb >> 16;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (r > 200 && g < 190 && b < 190 && r - g > 40) {
          red++; // alert bands (#dc2626 at 28% over white)
        }
        if (b > 200 && r < 80 && g < 130) {
          blue++; // series lines (#2563eb)
        }
      }
    }
    assertTrue(blue > 200, "series lines drawn (" + blue + " blue pixels)");
    assertTrue(red > 50, "alert bands drawn (" + red + " red pixels)");
    String keep = System.getProperty("loupe.monitor.screenshot", "");
    if (!keep.isEmpty()) {
      Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
