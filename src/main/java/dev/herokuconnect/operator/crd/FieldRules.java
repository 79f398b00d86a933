package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.client.CustomResource;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The constraints of a kind's spec fields, read off the same fabric8 generator annotations
 * ({@code @Required @Pattern @Min @Max @Size @Default}) the crd-generator turns into the CRD
 * schema, so that a bound is written once, on the model, and whoever else checks a value
 * ({@code plan}'s manifest checks, the fake Connect API) reads it from here instead of
 * re-stating it. Fields are named by JSON path from the object's root: {@code spec.sfPollingSeconds},
 * {@code spec.database.schema}; a list's items add {@code []}: {@code spec.fields[]},
 * {@code spec.indexes[].field}. Only this project's annotations are read: the model uses no
 * jakarta/javax validation annotations (a test would see their bounds missing from the CRD).
 */
public final class FieldRules {
  /** A numeric bound; {@code inclusive} false is JSON Schema's exclusiveMinimum/exclusiveMaximum. */
  public record Bound(double value, boolean inclusive) {
    /** 60 rather than 60.0, for messages. */
    public String text() {
      return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
  }

  /**
   * One field's constraints. {@code minSize}/{@code maxSize} are characters for a string and items
   * for a list (the generator's minLength/maxLength, minItems/maxItems); null where not declared.
   */
  public record Rule(String path, Class<?> type, boolean required, String pattern, Bound min, Bound max,
                     Long minSize, Long maxSize, String defaultValue, String description) {
    public boolean isList() { return Collection.class.isAssignableFrom(type); }
    /** Whether a value can break it (a default alone cannot). */
    public boolean constrains() {
      return required || pattern != null || min != null || max != null || minSize != null || maxSize != null;
    }
    /** Whether a number is within min and max, each end inclusive or not as declared. */
    public boolean inRange(double v) {
      return (min == null || (min.inclusive() ? v >= min.value() : v > min.value()))
          && (max == null || (max.inclusive() ? v <= max.value() : v < max.value()));
    }
    /** The last segment of the path: "schema" of spec.database.schema. */
    String name() { return path.substring(path.lastIndexOf('.') + 1); }
  }

  private static final Map<Class<?>, Map<String, Rule>> CACHE = new ConcurrentHashMap<>();

  /** Every spec field of {@code kind} (a CustomResource&lt;Spec, Status&gt;), in declaration order. */
  public static Map<String, Rule> of(Class<?> kind) {
    return CACHE.computeIfAbsent(kind, k -> {
      Map<String, Rule> rules = new LinkedHashMap<>();
      walk(specClass(k), "spec", rules);
      return Collections.unmodifiableMap(rules);
    });
  }

  /** The rule of one field; an unknown path is a programming error (a renamed field), not "no rule". */
  public static Rule get(Class<?> kind, String path) {
    Rule r = of(kind).get(path);
    if (r == null) throw new IllegalArgumentException(kind.getSimpleName() + " has no field " + path + "; it has " + of(kind).keySet());
    return r;
  }

  /**
   * What is wrong with an object's spec against these rules, one message per problem, each
   * naming the field, the value, and the bound it breaks. Only present values are checked
   * against bounds (an absent one takes its default, as the API server does); a missing required
   * field is reported where its parent is present. Types are not checked here: the object is
   * expected to have been read into the model's classes first.
   */
  public static List<String> violations(Class<?> kind, JsonNode object) {
    List<String> problems = new ArrayList<>();
    for (Rule r : of(kind).values()) {
      if (!r.constrains()) continue;
      resolve(object, r.path().split("\\."), 0, "", (path, value) -> check(kind, r, path, value, problems));
    }
    return problems;
  }

  private static void check(Class<?> kind, Rule r, String path, JsonNode value, List<String> problems) {
    boolean absent = value == null || value.isNull() || value.isMissingNode();
    if (absent || (r.required() && value.isTextual() && value.asText().isBlank())) {
      if (r.required()) problems.add(path + " is required" + requiredInside(kind, r));
      return;
    }
    if (r.pattern() != null && value.isTextual() && !java.util.regex.Pattern.compile(r.pattern()).matcher(value.asText()).find()) {
      // find(), not matches(): JSON Schema's pattern is an unanchored search, as the API server applies it.
      String what = Patterns.meaning(r.pattern());
      problems.add(path + " '" + value.asText() + "' is not " + (what == null ? "valid" : what) + ": it must match " + r.pattern());
    }
    if (value.isNumber()) {
      if (!r.inRange(value.asDouble())) problems.add(path + " is " + value.asText() + ": it must be " + range(r));
    }
    Long size = value.isTextual() ? Long.valueOf(value.asText().codePointCount(0, value.asText().length()))
        : value.isArray() ? Long.valueOf(value.size()) : null;
    if (size != null && ((r.minSize() != null && size < r.minSize()) || (r.maxSize() != null && size > r.maxSize()))) {
      String unit = value.isArray() ? "items" : "characters";
      String bound = r.minSize() != null && r.maxSize() != null ? "from " + r.minSize() + " to " + r.maxSize()
          : r.minSize() != null ? "at least " + r.minSize() : "at most " + r.maxSize();
      problems.add(path + (value.isArray() ? " has " + size + " items" : " is " + size + " characters long")
          + ": it must have " + bound + " " + unit);
    }
  }

  /** "between MIN and MAX", "at least MIN", "greater than MIN and at most MAX"... */
  static String range(Rule r) {
    if (r.min() != null && r.max() != null && r.min().inclusive() && r.max().inclusive()) {
      return "between " + r.min().text() + " and " + r.max().text();
    }
    List<String> parts = new ArrayList<>();
    if (r.min() != null) parts.add((r.min().inclusive() ? "at least " : "greater than ") + r.min().text());
    if (r.max() != null) parts.add((r.max().inclusive() ? "at most " : "less than ") + r.max().text());
    return String.join(" and ", parts);
  }

  /** " (configVar and schema)": the required fields a missing required object must bring. */
  private static String requiredInside(Class<?> kind, Rule r) {
    List<String> leaves = new ArrayList<>();
    requiredLeaves(kind, r.path(), "", leaves);
    return leaves.isEmpty() ? "" : " (" + String.join(" and ", leaves) + ")";
  }

  private static void requiredLeaves(Class<?> kind, String parent, String prefix, List<String> out) {
    for (Rule c : of(kind).values()) {
      if (!c.required() || !c.path().equals(parent + "." + c.name())) continue;
      int before = out.size();
      requiredLeaves(kind, c.path(), prefix + c.name() + ".", out);
      if (out.size() == before) out.add(prefix + c.name());
    }
  }

  /** Calls {@code at} with each concrete path the segments name and its value (null when absent). */
  private static void resolve(JsonNode node, String[] segments, int i, String at, BiConsumer<String, JsonNode> to) {
    if (node == null || !node.isObject()) return; // a missing parent: its own rule reports it
    boolean items = segments[i].endsWith("[]");
    String name = items ? segments[i].substring(0, segments[i].length() - 2) : segments[i];
    String here = at.isEmpty() ? name : at + "." + name;
    JsonNode child = node.get(name);
    boolean last = i == segments.length - 1;
    if (!items) {
      if (last) to.accept(here, child);
      else resolve(child, segments, i + 1, here, to);
      return;
    }
    if (child == null || !child.isArray()) return;
    for (int k = 0; k < child.size(); k++) {
      if (last) to.accept(here + "[" + k + "]", child.get(k));
      else resolve(child.get(k), segments, i + 1, here + "[" + k + "]", to);
    }
  }

  private static void walk(Class<?> type, String at, Map<String, Rule> rules) {
    for (Field f : type.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers()) || f.isAnnotationPresent(JsonIgnore.class)) continue;
      JsonProperty p = f.getAnnotation(JsonProperty.class);
      String path = at + "." + (p != null && !p.value().isEmpty() ? p.value() : f.getName());
      JsonPropertyDescription d = f.getAnnotation(JsonPropertyDescription.class);
      rules.put(path, rule(path, f.getType(), f, d == null ? null : d.value()));
      if (Collection.class.isAssignableFrom(f.getType()) && f.getAnnotatedType() instanceof AnnotatedParameterizedType t) {
        AnnotatedType item = t.getAnnotatedActualTypeArguments()[0];
        Class<?> itemClass = item.getType() instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : (Class<?>) item.getType();
        if (isModel(itemClass)) walk(itemClass, path + "[]", rules);
        else rules.put(path + "[]", rule(path + "[]", itemClass, item, null));
      } else if (isModel(f.getType())) {
        walk(f.getType(), path, rules);
      }
    }
  }

  /** A class of this model to descend into (not an enum, a String or a number). */
  private static boolean isModel(Class<?> c) {
    return c.getPackage() == FieldRules.class.getPackage() && !c.isEnum();
  }

  private static Rule rule(String path, Class<?> type, AnnotatedElement e, String description) {
    Min min = e.getAnnotation(Min.class);
    Max max = e.getAnnotation(Max.class);
    Size size = e.getAnnotation(Size.class);
    Pattern pattern = e.getAnnotation(Pattern.class);
    Default def = e.getAnnotation(Default.class);
    // @Size's unset ends are 0 and Long.MAX_VALUE, which the generator leaves out of the schema.
    Long minSize = size == null || size.min() <= 0 ? null : size.min();
    Long maxSize = size == null || size.max() == Long.MAX_VALUE ? null : size.max();
    return new Rule(path, type, e.isAnnotationPresent(Required.class), pattern == null ? null : pattern.value(),
        min == null ? null : new Bound(min.value(), min.inclusive()), max == null ? null : new Bound(max.value(), max.inclusive()),
        minSize, maxSize, def == null ? null : def.value(), description);
  }

  private static Class<?> specClass(Class<?> kind) {
    if (!(kind.getGenericSuperclass() instanceof ParameterizedType t) || t.getRawType() != CustomResource.class) {
      throw new IllegalArgumentException(kind.getName() + " must extend CustomResource<Spec, Status> directly");
    }
    return (Class<?>) t.getActualTypeArguments()[0];
  }

  private FieldRules() {}
}
