package dev.loupe.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.core.ProfileView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HourlyToS3Test {

  @Test
  void withoutABucketItRotatesOneSecondWindowsIntoALocalDirectory(@TempDir Path dir) throws Exception {
    System.setProperty("loupe.output", dir.toString());
    try {
      HourlyToS3.main(new String[] {"2", "PT1S"});
    } finally {
      System.clearProperty("loupe.output");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".bin")).toList();
    }
    assertTrue(files.size() >= 2, "several one-second windows: " + files);
    long rows = 0;
    for (Path f : files) {
      ProfileView v = ProfileView.read(f);
      assertTrue(v.properties().tags().containsKey("service"));
      rows += v.column("amount").orElseThrow().counts().n();
    }
    assertTrue(rows > 1000, "rows logged: " + rows);
  }
}
