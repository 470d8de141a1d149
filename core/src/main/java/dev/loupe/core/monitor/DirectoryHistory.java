package dev.loupe.core.monitor;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A profile history in a local directory, laid out by a key template (what LocalDirectoryWriter writes). */
public final class DirectoryHistory implements HistorySource {
  private final Path root;

  public DirectoryHistory(Path root) {
    this.root = root;
  }

  @Override
  public List<String> keys() throws IOException {
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "no such directory");
    }
    if (!Files.isDirectory(root)) {
      throw new FileSystemException(root.toString(), null,
          "is a file, not a directory of profiles; give the folder the windows were written to");
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(p -> p.getFileName().toString().endsWith(".bin") && Files.isRegularFile(p))
          .forEach(p -> keys.add(root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/")));
    }
    return keys;
  }

  @Override
  public ProfileView read(String key) throws IOException {
    return ProfileView.read(root.resolve(key));
  }

  @Override
  public String describe() {
    return root.toString();
  }
}
