package dev.loupe.cli;

import dev.loupe.core.ProfileView;
import java.io.PrintWriter;

/** Prints a profile as the summary table or as {@link ProfileView#toJson()}, unchanged. */
final class Output {
  private Output() {}

  static void print(PrintWriter out, ProfileView view, String source, boolean json) {
    out.println(json ? view.toJson() : SummaryTable.render(view, source));
    out.flush();
  }
}
