package dev.herokuconnect.operator.reconciler.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herokuconnect.operator.connect.MappingConfig.IndexConfig;
import dev.herokuconnect.operator.connect.MappingConfig;
import dev.herokuconnect.operator.crd.HerokuMappingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Spec versus remote mapping configuration. Only what the spec manages is compared and
 * written; everything else in the remote config (keys a newer API added, per-field options)
 * is carried over untouched. {@code sfMaxDailyApiCalls} and {@code upsertField} left empty in
 * the spec are not managed: whatever the API has stays.
 */
public final class MappingConfigs {
  private MappingConfigs() {}

  /** The config to send: the remote one (if any) with the spec laid over it. */
  public static MappingConfig desired(HerokuMappingSpec spec, MappingConfig remote) {
    MappingConfig c = remote == null ? new MappingConfig() : remote.copy();
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    for (String f : spec.getFields()) {
      JsonNode options = remote == null ? null : remote.fields().get(f);
      fields.put(f, options == null ? JsonNodeFactory.instance.objectNode() : options.deepCopy());
    }
    Map<String, IndexConfig> indexes = new LinkedHashMap<>();
    for (HerokuMappingSpec.IndexSpec i : spec.getIndexes()) {
      IndexConfig old = remote == null ? null : remote.indexes().get(i.getField());
      indexes.put(i.getField(), old == null ? new IndexConfig(i.isUnique()) : old.withUnique(i.isUnique()));
    }
    c.access(spec.getAccess().apiValue())
        .fields(fields)
        .indexes(indexes)
        .sfNotifyEnabled(spec.getSfNotifyEnabled())
        .sfPollingSeconds(spec.getSfPollingSeconds());
    if (spec.getSfMaxDailyApiCalls() != null) c.sfMaxDailyApiCalls(spec.getSfMaxDailyApiCalls());
    if (spec.getUpsertField() != null) c.upsertField(spec.getUpsertField());
    return c;
  }

  /** One human-readable line per difference between the spec and the remote config. */
  public static List<String> differences(HerokuMappingSpec spec, MappingConfig remote) {
    List<String> out = new ArrayList<>();
    compare(out, "access", remote.access(), spec.getAccess().apiValue());
    TreeSet<String> want = new TreeSet<>(spec.getFields());
    TreeSet<String> have = new TreeSet<>(remote.fields().keySet());
    if (!want.equals(have)) {
      TreeSet<String> add = new TreeSet<>(want);
      add.removeAll(have);
      TreeSet<String> remove = new TreeSet<>(have);
      remove.removeAll(want);
      out.add("fields: " + (add.isEmpty() ? "" : "add " + String.join(", ", add))
          + (!add.isEmpty() && !remove.isEmpty() ? "; " : "") + (remove.isEmpty() ? "" : "remove " + String.join(", ", remove)));
    }
    Map<String, Boolean> wantIdx = new java.util.TreeMap<>();
    spec.getIndexes().forEach(i -> wantIdx.put(i.getField(), i.isUnique()));
    Map<String, Boolean> haveIdx = new java.util.TreeMap<>();
    remote.indexes().forEach((k, v) -> haveIdx.put(k, v.unique()));
    if (!wantIdx.equals(haveIdx)) out.add("indexes: the API has " + describe(haveIdx) + "; the spec wants " + describe(wantIdx));
    compare(out, "sf_notify_enabled", remote.sfNotifyEnabled(), spec.getSfNotifyEnabled());
    compare(out, "sf_polling_seconds", remote.sfPollingSeconds(), spec.getSfPollingSeconds());
    if (spec.getSfMaxDailyApiCalls() != null) compare(out, "sf_max_daily_api_calls", remote.sfMaxDailyApiCalls(), spec.getSfMaxDailyApiCalls());
    if (spec.getUpsertField() != null) compare(out, "upsert_field", remote.upsertField(), spec.getUpsertField());
    return out;
  }

  private static void compare(List<String> out, String key, Object remote, Object wanted) {
    if (!Objects.equals(remote, wanted)) out.add(key + ": remote " + remote + ", spec " + wanted);
  }

  private static String describe(Map<String, Boolean> indexes) {
    if (indexes.isEmpty()) return "none";
    List<String> parts = new ArrayList<>();
    indexes.forEach((f, u) -> parts.add(f + (u ? " (unique)" : "")));
    if (parts.size() == 1) return parts.get(0);
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
  }
}
