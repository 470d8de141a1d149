package dev.loupe.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The BOM lists exactly the published modules of the reactor, at the reactor's version. */
class BomTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void bomManagesEveryPublishedModuleAndNothingElse() throws Exception {
    Document root = parse(ROOT.resolve("pom.xml"));
    String version = child(root.getDocumentElement(), "version");
    Set<String> published = new TreeSet<>();
    NodeList modules = root.getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      Element m = (Element) modules.item(i);
      if (!"modules".equals(m.getParentNode().getNodeName())
          || !"project".equals(m.getParentNode().getParentNode().getNodeName())) {
        continue; // modules of a profile (bench-deequ) are not published
      }
      Path pom = ROOT.resolve(m.getTextContent().trim()).resolve("pom.xml");
      Document d = parse(pom);
      String packaging = child(d.getDocumentElement(), "packaging");
      boolean skipped = Files.readString(pom).contains("<maven.deploy.skip>true</maven.deploy.skip>");
      if (!skipped && !"pom".equals(packaging)) {
        published.add(child(d.getDocumentElement(), "artifactId"));
      }
    }

    Document bom = parse(ROOT.resolve("bom/pom.xml"));
    assertEquals(version, child(bom.getDocumentElement(), "version"), "bom/pom.xml version");
    Set<String> managed = new TreeSet<>();
    NodeList deps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      assertEquals("dev.loupe", child(d, "groupId"), "the BOM manages Loupe's own artifacts only");
      assertEquals("${project.version}", child(d, "version"));
      managed.add(child(d, "artifactId"));
    }
    assertEquals(published, managed, "bom/pom.xml must list every published module (and only those)");
  }

  private static Document parse(Path p) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(p.toFile());
  }

  private static String child(Element e, String name) {
    List<String> found = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getTagName().equals(name)) {
        found.add(c.getTextContent().trim());
      }
    }
    return found.isEmpty() ? null : found.get(0);
  }
}
