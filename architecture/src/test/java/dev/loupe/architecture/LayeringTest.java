package dev.loupe.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of docs (README's module table, shared DESIGN.md): nothing depends upward, and core holds no
 * data-file-format, storage or service library, so Spark and service users never pull one. Checked on the
 * compiled classes of every published module as they sit on one classpath, which is where Spark runs them (a
 * Maven dependency graph alone would not catch a class reached through a transitive dependency). Spark's example
 * job (dev.loupe.spark.examples, which uses s3-writer) is left out of the published jar, so it is not here.
 */
class LayeringTest {

  private static JavaClasses classes;
  private static JavaClasses published;

  /** The published modules' classes, imported once per JVM and shared by the architecture tests. */
  static synchronized JavaClasses published() {
    if (published == null) {
      published = new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(LayeringTest::notASparkJarCopy)
          .importPackages("dev.loupe");
    }
    return published;
  }

  @BeforeAll
  static void importPublishedClasses() {
    classes = published();
  }

  /**
   * The published loupe-spark jar carries relocated copies of protobuf and of Loupe's proto classes (under
   * dev.loupe.spark.shaded, against Spark's own protobuf): those copies are not Loupe's code, so they are left out
   * and the originals from their own modules are checked.
   */
  static boolean notASparkJarCopy(com.tngtech.archunit.core.importer.Location location) {
    String uri = location.asURI().toString();
    if (uri.contains("/dev/loupe/spark/shaded/") || uri.contains("/dev/loupe/spark/examples/")) {
      return false; // relocated copies, and the example job that the published jar leaves out
    }
    return !(uri.contains("loupe-spark-") && uri.contains(".jar!/") && !uri.contains("!/dev/loupe/spark/"));
  }

  @Test
  void modulesDependOnlyDownward() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("proto").definedBy("dev.loupe.proto..")
        .layer("core").definedBy("dev.loupe.core..")
        .layer("report").definedBy("dev.loupe.report..")
        .layer("readers").definedBy("dev.loupe.readers..")
        .layer("s3-writer").definedBy("dev.loupe.s3..")
        .layer("server").definedBy("dev.loupe.server..")
        .layer("spark").definedBy("dev.loupe.spark..")
        .layer("cli").definedBy("dev.loupe.cli..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("spark").mayNotBeAccessedByAnyLayer()
        .whereLayer("server").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("readers").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("report").mayOnlyBeAccessedByLayers("cli", "server")
        .whereLayer("s3-writer").mayOnlyBeAccessedByLayers("server", "cli")
        .whereLayer("core").mayOnlyBeAccessedByLayers(
            "report", "readers", "s3-writer", "server", "spark", "cli")
        .whereLayer("proto").mayOnlyBeAccessedByLayers(
            "core", "report", "readers", "s3-writer", "server", "spark", "cli")
        .check(classes);
  }

  @Test
  void coreHoldsNoFormatStorageOrServiceLibrary() {
    noClasses().that().resideInAPackage("dev.loupe.core..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.apache.parquet..", "org.apache.hadoop..", "de.siegmar.fastcsv..", "software.amazon..",
            "io.javalin..", "org.eclipse.jetty..", "org.apache.spark..", "scala..", "org.apache.kafka..",
            "picocli..")
        .because("core is what Spark jobs and services embed: file formats live in readers, S3 in s3-writer, "
            + "HTTP in server (DESIGN.md, modules)")
        .check(classes);
  }

  @Test
  void onlyTheSparkModuleTouchesSpark() {
    noClasses().that().resideOutsideOfPackage("dev.loupe.spark..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
        .because("Spark is a provided dependency of loupe-spark alone")
        .check(classes);
  }
}
