package dev.herokuconnect.operator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

/**
 * Sits in the operator's HTTP client and records every write it sends to a HerokuConnection or
 * HerokuMapping (method, path, body, the API server's answer). A hook may act before a write
 * goes out: make a concurrent edit (someone else between the operator's read and its write),
 * or refuse it (the process dies before the write lands).
 */
final class WriteRecorder implements Interceptor {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Write(String method, String path, String contentType, String body, int code, String answer) {
    boolean status() { return path.endsWith("/status"); }

    /** herokumappings or herokuconnections */
    String kind() { return segment(-2 - (status() ? 1 : 0)); }

    String name() { return segment(-1 - (status() ? 1 : 0)); }

    private String segment(int fromEnd) {
      String[] s = path.split("/");
      return s[s.length + fromEnd];
    }

    @Override
    public String toString() { return method + " " + path + " (" + contentType + ") -> " + code; }
  }

  /** Runs before a write is sent; may throw IOException to refuse it. */
  interface BeforeWrite {
    void before(String method, String path) throws IOException;
  }

  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private volatile BeforeWrite hook;

  void hook(BeforeWrite h) { this.hook = h; }

  List<Write> writes() { return List.copyOf(writes); }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request req = chain.request();
    String path = req.url().encodedPath();
    if (req.method().equals("GET") || !path.startsWith("/apis/herokuconnect.dev/")) return chain.proceed(req);
    String body = "";
    String contentType = "";
    if (req.body() != null) {
      Buffer b = new Buffer();
      req.body().writeTo(b);
      body = b.readUtf8();
      contentType = String.valueOf(req.body().contentType());
    }
    BeforeWrite h = hook;
    if (h != null) h.before(req.method(), path);
    Response resp = chain.proceed(req);
    writes.add(new Write(req.method(), path, contentType, body, resp.code(), resp.peekBody(8L << 20).string()));
    return resp;
  }

  /**
   * The status fields a successful status write sent that the stored object (the API server's
   * answer to that write) does not have: what schema pruning dropped. Handles merge patches and
   * PUTs (the body's {@code status}) and JSON patches (add/replace operations under /status).
   * Nulls are deletions in a merge patch and are not counted.
   */
  static List<String> pruned(Write w) throws IOException {
    JsonNode stored = JSON.readTree(w.answer());
    List<String> missing = new ArrayList<>();
    for (String leaf : sent(w)) {
      if (stored.at(leaf).isMissingNode()) missing.add(leaf);
    }
    return missing;
  }

  /** JSON pointers of the status fields a write sets (non-null leaves). */
  static List<String> sent(Write w) throws IOException {
    JsonNode sent = JSON.readTree(w.body());
    List<String> leaves = new ArrayList<>();
    if (sent.isArray()) {
      for (JsonNode op : sent) {
        String opPath = op.path("path").asText();
        if (!opPath.startsWith("/status") || !(op.path("op").asText().equals("add") || op.path("op").asText().equals("replace"))) continue;
        if (opPath.endsWith("/-")) continue; // appended: no index to look it up by
        leaves(op.path("value"), opPath, leaves);
      }
    } else {
      leaves(sent.path("status"), "/status", leaves);
    }
    return leaves;
  }

  /** JSON pointers of the non-null leaves (scalars, empty objects and arrays) under {@code node}. */
  static void leaves(JsonNode node, String at, List<String> out) {
    if (node.isNull() || node.isMissingNode()) return;
    if (node.isObject() && node.size() > 0) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        leaves(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out);
      }
    } else if (node.isArray() && node.size() > 0) {
      for (int i = 0; i < node.size(); i++) leaves(node.get(i), at + "/" + i, out);
    } else {
      out.add(at);
    }
  }

  /** The leaf paths with array indexes replaced by [], for a readable list of the fields seen. */
  static String shape(String pointer) {
    return pointer.replaceAll("/\\d+(?=/|$)", "[]");
  }
}
