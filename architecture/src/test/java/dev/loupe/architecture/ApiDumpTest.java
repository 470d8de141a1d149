package dev.loupe.architecture;

import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The public API of every published module, dumped as text and compared with the dump committed under
 * architecture/api/, so that every change to what users can call shows in review as a diff of those files.
 *
 * <p>After an intended API change, regenerate the dumps and commit them with the change:
 * {@code ./mvnw -B -pl architecture -am verify -Dloupe.api.update=true}.
 *
 * <p>What counts as API: public classes whose enclosing classes are public too, and their public and protected
 * members (a protected member is callable by any subclass a user writes). Generated protobuf classes
 * (loupe-proto) and the classes of {@code internal} packages (not API: shared only between Loupe's own modules, see
 * InternalPackagesTest) are listed by name only.
 */
class ApiDumpTest {

  private static final Path API_DIR = Path.of("api");
  /** Each published module's root package and its artifact; InternalPackagesTest names modules by this map too. */
  static final Map<String, String> MODULES = new LinkedHashMap<>();

  static {
    MODULES.put("dev.loupe.proto", "loupe-proto");
    MODULES.put("dev.loupe.core", "loupe-core");
    MODULES.put("dev.loupe.report", "loupe-report");
    MODULES.put("dev.loupe.readers", "loupe-readers");
    MODULES.put("dev.loupe.s3", "loupe-s3-writer");
    MODULES.put("dev.loupe.server", "loupe-server");
    MODULES.put("dev.loupe.spark", "loupe-spark");
    MODULES.put("dev.loupe.cli", "loupe-cli");
  }

  @Test
  void publicApiMatchesTheCommittedDump() throws IOException {
    JavaClasses classes = LayeringTest.published();
    Map<String, TreeMap<String, List<String>>> byModule = new TreeMap<>();
    MODULES.values().forEach(m -> byModule.put(m, new TreeMap<>()));
    for (JavaClass c : classes) {
      String module = moduleOf(c.getPackageName());
      if (module == null || !isApi(c) || c.getPackageName().startsWith("dev.loupe.spark.examples")) {
        continue;
      }
      byModule.get(module).put(c.getName(),
          module.equals("loupe-proto") || InternalPackagesTest.isInternal(c.getPackageName()) ? List.of() : members(c));
    }

    boolean update = Boolean.getBoolean("loupe.api.update");
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, TreeMap<String, List<String>>> e : byModule.entrySet()) {
      String dump = render(e.getValue());
      Path file = API_DIR.resolve(e.getKey() + ".api");
      String committed = Files.exists(file) ? Files.readString(file) : "";
      if (!committed.equals(dump)) {
        if (update) {
          Files.createDirectories(API_DIR);
          Files.writeString(file, dump);
        } else {
          changed.add(e.getKey() + ": " + firstDifference(committed, dump));
        }
      }
    }
    if (!changed.isEmpty()) {
      fail("The public API differs from the dump committed in architecture/api/ (" + String.join("; ", changed)
          + "). If the change is intended, run ./mvnw -B -pl architecture -am verify -Dloupe.api.update=true"
          + " and commit the updated .api files with it, so the change shows in review.");
    }
  }

  static String moduleOf(String pkg) {
    for (Map.Entry<String, String> e : MODULES.entrySet()) {
      if (pkg.equals(e.getKey()) || pkg.startsWith(e.getKey() + ".")) {
        return e.getValue();
      }
    }
    return null;
  }

  private static boolean isApi(JavaClass c) {
    for (JavaClass k = c; k != null; k = k.getEnclosingClass().orElse(null)) {
      if (!k.getModifiers().contains(JavaModifier.PUBLIC) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(Set<JavaModifier> m) {
    return m.contains(JavaModifier.PUBLIC) || m.contains(JavaModifier.PROTECTED);
  }

  private static List<String> members(JavaClass c) {
    List<String> out = new ArrayList<>();
    StringBuilder head = new StringBuilder(kind(c));
    c.getRawSuperclass().filter(s -> !s.getName().equals("java.lang.Object") && !s.getName().equals("java.lang.Enum")
        && !s.getName().equals("java.lang.Record")).ifPresent(s -> head.append(" extends ").append(s.getName()));
    String interfaces = c.getRawInterfaces().stream().map(JavaClass::getName).sorted()
        .collect(Collectors.joining(", "));
    if (!interfaces.isEmpty()) {
      head.append(" implements ").append(interfaces);
    }
    out.add(head.toString());
    TreeSet<String> sorted = new TreeSet<>();
    for (JavaField f : c.getFields()) {
      if (visible(f.getModifiers()) && !f.getModifiers().contains(JavaModifier.SYNTHETIC)) {
        sorted.add(modifiers(f.getModifiers()) + "field " + f.getType().getName() + " " + f.getName());
      }
    }
    for (JavaCodeUnit u : c.getCodeUnits()) {
      Set<JavaModifier> m = u.getModifiers();
      if (!visible(m) || m.contains(JavaModifier.SYNTHETIC) || m.contains(JavaModifier.BRIDGE)
          || u.getName().equals("<clinit>")) {
        continue;
      }
      String params = u.getParameterTypes().stream().map(t -> t.getName()).collect(Collectors.joining(", "));
      if (u.isConstructor()) {
        sorted.add(modifiers(m) + "new(" + params + ")");
      } else {
        sorted.add(modifiers(m) + u.getReturnType().getName() + " " + u.getName() + "(" + params + ")");
      }
    }
    out.addAll(sorted);
    return out;
  }

  private static String kind(JavaClass c) {
    if (c.isAnnotation()) {
      return "annotation";
    } else if (c.isEnum()) {
      return "enum";
    } else if (c.isRecord()) {
      return "record";
    } else if (c.isInterface()) {
      return "interface";
    }
    Set<JavaModifier> m = c.getModifiers();
    return (m.contains(JavaModifier.ABSTRACT) ? "abstract " : "") + (m.contains(JavaModifier.FINAL) ? "final " : "")
        + "class";
  }

  private static String modifiers(Set<JavaModifier> m) {
    StringBuilder b = new StringBuilder();
    if (m.contains(JavaModifier.PROTECTED)) {
      b.append("protected ");
    }
    if (m.contains(JavaModifier.STATIC)) {
      b.append("static ");
    }
    if (m.contains(JavaModifier.ABSTRACT)) {
      b.append("abstract ");
    }
    if (m.contains(JavaModifier.FINAL)) {
      b.append("final ");
    }
    return b.toString();
  }

  private static String render(TreeMap<String, List<String>> types) {
    StringBuilder b = new StringBuilder();
    b.append("# Public API, one block per type; generated by ApiDumpTest (see its comment to regenerate).\n");
    for (Map.Entry<String, List<String>> t : types.entrySet()) {
      b.append('\n').append(t.getKey()).append('\n');
      for (String line : t.getValue()) {
        b.append("  ").append(line).append('\n');
      }
    }
    return b.toString();
  }

  private static String firstDifference(String committed, String now) {
    String[] a = committed.split("\n", -1);
    String[] b = now.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "<end>";
      String y = i < b.length ? b[i] : "<end>";
      if (!x.equals(y)) {
        return "line " + (i + 1) + ": committed '" + x.strip() + "', now '" + y.strip() + "'";
      }
    }
    return "no difference";
  }
}
