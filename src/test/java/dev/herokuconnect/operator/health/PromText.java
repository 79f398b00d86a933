package dev.herokuconnect.operator.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) for tests: every sample
 * line must parse, every sample must belong to a family with a {@code # TYPE}, and a family
 * is declared once.
 */
public final class PromText {
  public record Sample(String name, Map<String, String> labels, double value) {
    public String label(String key) { return labels.get(key); }
  }

  public record Family(String name, String type, String help) {}

  private final Map<String, Family> families = new LinkedHashMap<>();
  private final List<Sample> samples = new ArrayList<>();

  private PromText() {}

  public static PromText parse(String text) {
    PromText p = new PromText();
    Map<String, String> help = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      if (line.startsWith("# HELP ")) {
        String[] parts = line.substring(7).split(" ", 2);
        help.put(parts[0], parts.length > 1 ? parts[1] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        if (parts.length != 2) throw new IllegalArgumentException("bad TYPE line: " + line);
        if (p.families.containsKey(parts[0])) throw new IllegalArgumentException("family declared twice: " + parts[0]);
        p.families.put(parts[0], new Family(parts[0], parts[1], help.get(parts[0])));
      } else if (line.startsWith("#")) {
        continue;
      } else {
        p.samples.add(sample(line));
      }
    }
    for (Sample s : p.samples) {
      if (p.familyOf(s.name()).isEmpty()) throw new IllegalArgumentException("sample without # TYPE: " + s.name());
    }
    return p;
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    String name;
    Map<String, String> labels = new TreeMap<>();
    String rest;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq);
        if (line.charAt(eq + 1) != '"') throw new IllegalArgumentException("bad label in: " + line);
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char ch = line.charAt(j);
          if (ch == '\\') {
            char n = line.charAt(++j);
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(ch);
          }
        }
        labels.put(key, v.toString());
        i = j + 1;
        if (line.charAt(i) == ',') i++;
      }
      rest = line.substring(i + 1).trim();
    } else {
      name = line.substring(0, space);
      rest = line.substring(space + 1).trim();
    }
    if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) throw new IllegalArgumentException("bad metric name: " + line);
    String value = rest.split(" ")[0];
    double v = switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(value);
    };
    return new Sample(name, labels, v);
  }

  /** The family a sample name belongs to (counters' _total, histograms' _bucket/_sum/_count, ...). */
  public Optional<Family> familyOf(String sampleName) {
    if (families.containsKey(sampleName)) return Optional.of(families.get(sampleName));
    for (String suffix : List.of("_total", "_created", "_bucket", "_sum", "_count", "_info", "_max")) {
      if (sampleName.endsWith(suffix)) {
        Family f = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
        if (f != null) return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  public Map<String, Family> families() { return families; }

  public List<Sample> samples() { return samples; }

  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The one sample of {@code name} whose labels include all of {@code match} (key, value, key, value ...). */
  public Sample one(String name, String... match) {
    List<Sample> found = samples(name).stream().filter(s -> {
      for (int i = 0; i < match.length; i += 2) {
        if (!match[i + 1].equals(s.label(match[i]))) return false;
      }
      return true;
    }).toList();
    if (found.size() != 1) throw new AssertionError("expected one " + name + " " + List.of(match) + ", found " + found);
    return found.get(0);
  }
}
