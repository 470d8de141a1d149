package dev.loupe.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * DuckDB's SUMMARIZE over one file (CSV or Parquet, by extension), all its result rows read, as
 * one process: the side the comparison measures Loupe against.
 *
 * <pre>java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.DuckSummarize FILE [threads]</pre>
 */
public final class DuckSummarize {
  private DuckSummarize() {}

  public static void main(String[] args) throws Exception {
    String file = args[0].replace("'", "''");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      if (args.length > 1) {
        s.execute("SET threads = " + Integer.parseInt(args[1]));
      }
      int rows = 0;
      try (ResultSet rs = s.executeQuery("SUMMARIZE SELECT * FROM '" + file + "'")) {
        int cols = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          for (int i = 1; i <= cols; i++) {
            rs.getObject(i);
          }
          rows++;
        }
      }
      System.out.println("duckdb summarized " + rows + " columns of " + args[0]);
    }
  }
}
