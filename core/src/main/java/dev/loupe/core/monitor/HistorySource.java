package dev.loupe.core.monitor;

import dev.loupe.core.ProfileView;
import java.io.IOException;
import java.util.List;

/**
 * Where a profile history is stored: a local directory ({@link DirectoryHistory}), an S3 prefix
 * (module loupe-s3-writer), or your own. Keys are relative to the history's root, with '/'
 * separators, as the key template renders them. Implementations must allow {@link #read} from
 * several threads at once: histories are read ahead in parallel.
 */
public interface HistorySource {

  /** The keys of every profile file ({@code .bin}) in the history, in any order. */
  List<String> keys() throws IOException;

  /** One profile; a damaged file is a {@link dev.loupe.core.ProfileFormatException} naming it. */
  ProfileView read(String key) throws IOException;

  /** Where the history is, for messages ("profiles/", "s3://bucket/prefix/"). */
  String describe();
}
