package dev.herokuconnect.operator.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The READMEs a platform engineer reads first: the first screen says how to try, develop and
 * install, and every link within the repository (an anchor, a file, a file's anchor) leads somewhere.
 */
class ReadmeLinksTest {
  private static final Path README = Path.of("README.md");
  private static final Path CHART_README = Helm.CHART.resolve("README.md");
  /** The chart README is read on Artifact Hub too, so it links the repository's files by their URL on main. */
  private static final String REPOSITORY_FILES = "https://github.com/herokuconnect-dev/heroku-connect-operator/blob/main/";
  /** About what a browser shows of the README before one scrolls. */
  private static final int FIRST_SCREEN_LINES = 40;
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+?) *$");

  @Test
  void firstScreenSaysHowToTryDevelopAndInstall() throws IOException {
    String firstScreen = String.join("\n", Files.readAllLines(README).subList(0, FIRST_SCREEN_LINES));
    for (String must : List.of("make demo", "make test", "helm upgrade --install", "image.digest", "](#install)",
        "](#upgrading)", "](#uninstall)", "](#troubleshooting)", "](#security)")) {
      assertTrue(firstScreen.contains(must), "README.md's first " + FIRST_SCREEN_LINES + " lines lack " + must);
    }
  }

  @Test
  void everyLinkWithinTheRepositoryLeadsSomewhere() throws IOException {
    List<String> broken = new ArrayList<>();
    broken.addAll(brokenLinks(README));
    broken.addAll(brokenLinks(CHART_README));
    assertEquals(List.of(), broken, "links to a heading or file that does not exist");
  }

  private static List<String> brokenLinks(Path file) throws IOException {
    List<String> broken = new ArrayList<>();
    Matcher m = LINK.matcher(withoutCodeBlocks(Files.readString(file)));
    while (m.find()) {
      String link = m.group(1);
      String target = link.startsWith(REPOSITORY_FILES) ? link.substring(REPOSITORY_FILES.length()) : link;
      if (target.startsWith("http:") || target.startsWith("https:") || target.startsWith("mailto:")) continue;
      int hash = target.indexOf('#');
      String path = hash < 0 ? target : target.substring(0, hash);
      Path linked = path.isEmpty() ? file
          : link.startsWith(REPOSITORY_FILES) ? Path.of(path) : file.toAbsolutePath().getParent().resolve(path).normalize();
      if (!Files.exists(linked)) {
        broken.add(file + ": " + link + " (no file " + path + ")");
      } else if (hash >= 0 && !anchors(linked).contains(target.substring(hash + 1))) {
        broken.add(file + ": " + link + " (no heading " + target.substring(hash) + " in " + linked.getFileName() + ")");
      }
    }
    return broken;
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
  static Set<String> anchors(Path markdown) throws IOException {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : withoutCodeBlocks(Files.readString(markdown)).split("\n")) {
      Matcher h = HEADING.matcher(line);
      if (!h.matches()) continue;
      String slug = h.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }

  /** Fenced code blocks hold shell comments that look like headings and brackets that look like links. */
  private static String withoutCodeBlocks(String markdown) {
    StringBuilder out = new StringBuilder();
    boolean inCode = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (!inCode) out.append(line).append('\n');
    }
    return out.toString();
  }
}
