package dev.loupe.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The line between API and internals: a class in an {@code internal} package of a module (any package of the
 * module with a segment named {@code internal}, e.g. {@code dev.loupe.core.internal} or
 * {@code dev.loupe.core.logging.internal}) is not user API. It may be used by its own module, and by the sibling
 * modules {@link #SHARED_WITH} names for it, nobody else. Checked on the published classes as one classpath (as
 * {@link LayeringTest} is), modules named by {@link ApiDumpTest#MODULES}.
 *
 * <p>To share a module's internals with another Loupe module, add an entry here with the reason; a user of the
 * published jars gets no such entry, so internal classes may change in any release.
 */
class InternalPackagesTest {

  /**
   * Module (artifact) whose internal packages are shared -> sibling module that may use them -> why. One map for
   * all modules; a module absent here keeps its internals to itself.
   */
  static final Map<String, Map<String, String>> SHARED_WITH = new LinkedHashMap<>();

  static {
    Map<String, String> core = new LinkedHashMap<>();
    core.put("loupe-report", "number formatting (core.internal.NumberFormat), one rule for every table and report");
    core.put("loupe-cli", "the same number formatting in the summary table; the one window arithmetic "
        + "(core.logging.internal.Windows) for 'loupe profile --time-column'");
    core.put("loupe-readers", "core.internal.ValueTable: JSON decoded column by column, for the JSON-lines reader");
    core.put("loupe-s3-writer", "writing a file atomically and the instance-id file (core.logging.internal."
        + "DurableFiles), shared by the S3 writer's spool");
    core.put("loupe-spark", "the one window arithmetic (core.logging.internal.Windows) for windowed Spark profiles");
    core.put("loupe-server", "ValueTable for request bodies (the same JSON rules as the reader); the atomic file "
        + "write and the rolling logger's journal state, for crash recovery");
    SHARED_WITH.put("loupe-core", core);
    SHARED_WITH.put("loupe-server", Map.of("loupe-cli",
        "starting the server from its settings (server.internal.ServerLauncher), for 'loupe serve'"));
  }

  /** Whether {@code pkg} is an internal package: one of its segments is {@code internal}. */
  static boolean isInternal(String pkg) {
    return Arrays.asList(pkg.split("\\.")).contains("internal");
  }

  /** The module owning {@code pkg} under {@code modules} (root package -> module), or null. */
  static String moduleOf(Map<String, String> modules, String pkg) {
    for (Map.Entry<String, String> e : modules.entrySet()) {
      if (pkg.equals(e.getKey()) || pkg.startsWith(e.getKey() + ".")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** The rule over any set of modules and any sharing map, so that it can be tried on fixtures too. */
  static ArchRule internalsStayInside(Map<String, String> modules, Map<String, Map<String, String>> sharedWith) {
    ArchCondition<JavaClass> condition = new ArchCondition<>(
        "use another module's internal classes only where that module shares them with it") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        String from = moduleOf(modules, origin.getPackageName());
        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = d.getTargetClass();
          String pkg = target.getPackageName();
          if (!isInternal(pkg)) {
            continue;
          }
          String owner = moduleOf(modules, pkg);
          if (owner == null || owner.equals(from)) {
            continue;
          }
          boolean shared = from != null && sharedWith.getOrDefault(owner, Map.of()).containsKey(from);
          events.add(new SimpleConditionEvent(d, shared, d.getDescription() + " (" + owner + " internal, used by "
              + (from == null ? "a class outside every module" : from) + (shared ? ", shared" : ", not shared")
              + ")"));
        }
      }
    };
    return classes().should(condition)
        .because("internal packages are not API: a module shares them only with the siblings named in "
            + "InternalPackagesTest.SHARED_WITH");
  }

  @Test
  void internalPackagesAreUsedOnlyByTheirModuleAndNamedSiblings() {
    JavaClasses published = LayeringTest.published();
    // not vacuous: the modules do have internal classes, and they are used across packages
    assertTrue(published.stream().anyMatch(c -> isInternal(c.getPackageName())
            && c.getDirectDependenciesToSelf().stream()
                .anyMatch(d -> !d.getOriginClass().getPackageName().equals(c.getPackageName()))),
        "expected internal classes used from other packages (core.internal at least)");
    internalsStayInside(ApiDumpTest.MODULES, SHARED_WITH).check(published);
  }

  private static final Map<String, String> FIXTURE_MODULES = Map.of(
      "dev.loupe.architecture.fixture.alpha", "alpha",
      "dev.loupe.architecture.fixture.beta", "beta",
      "dev.loupe.architecture.fixture.gamma", "gamma");

  private static JavaClasses fixtures() {
    return new ClassFileImporter().importClasses(dev.loupe.architecture.fixture.alpha.internal.Secret.class,
        dev.loupe.architecture.fixture.alpha.UsesOwnInternals.class,
        dev.loupe.architecture.fixture.beta.UsesAlphaInternals.class,
        dev.loupe.architecture.fixture.gamma.UsesAlphaInternals.class);
  }

  @Test
  void ruleFailsOnAModuleOutsideTheAllowlist() {
    JavaClasses all = fixtures();
    AssertionError e = assertThrows(AssertionError.class, () ->
        internalsStayInside(FIXTURE_MODULES, Map.of("alpha", Map.of("beta", "fixture"))).check(all));
    assertTrue(e.getMessage().contains("fixture.gamma.UsesAlphaInternals"), e.getMessage());
    assertTrue(e.getMessage().contains("(alpha internal, used by gamma, not shared)"), e.getMessage());
    assertFalse(e.getMessage().contains("fixture.beta."), "beta is allowed: " + e.getMessage());
  }

  @Test
  void ruleFailsWhenNoSiblingIsNamed() {
    JavaClasses all = fixtures();
    AssertionError e = assertThrows(AssertionError.class, () ->
        internalsStayInside(FIXTURE_MODULES, Map.of()).check(all));
    assertTrue(e.getMessage().contains("fixture.beta.UsesAlphaInternals"), e.getMessage());
    assertTrue(e.getMessage().contains("fixture.gamma.UsesAlphaInternals"), e.getMessage());
  }

  @Test
  void rulePassesForTheOwnModuleAndNamedSiblings() {
    internalsStayInside(FIXTURE_MODULES, Map.of("alpha", Map.of("beta", "fixture", "gamma", "fixture")))
        .check(fixtures());
  }

  @Test
  void internalMeansAnyPackageSegmentNamedInternal() {
    assertTrue(isInternal("dev.loupe.core.internal"));
    assertTrue(isInternal("dev.loupe.core.logging.internal"));
    assertTrue(isInternal("dev.loupe.server.internal.journal"));
    assertFalse(isInternal("dev.loupe.core.internals"));
    assertFalse(isInternal("dev.loupe.core.logging"));
  }
}
