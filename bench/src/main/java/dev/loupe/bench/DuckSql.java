package dev.loupe.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Runs DuckDB SQL statements in one in-memory session and prints the rows of those that return
 * rows, tab-separated: the sampling step of bench/drift-real-data.sh (disjoint random samples of
 * a real file written as Parquet for {@code loupe profile}).
 *
 * <pre>java -cp bench/target/loupe-benchmarks.jar dev.loupe.bench.DuckSql "SQL" ["SQL" ...]</pre>
 */
public final class DuckSql {
  private DuckSql() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      for (String sql : args) {
        if (s.execute(sql)) {
          try (ResultSet rs = s.getResultSet()) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
              StringBuilder line = new StringBuilder();
              for (int i = 1; i <= cols; i++) {
                line.append(i > 1 ? "\t" : "").append(rs.getObject(i));
              }
              System.out.println(line);
            }
          }
        }
      }
    }
  }
}
