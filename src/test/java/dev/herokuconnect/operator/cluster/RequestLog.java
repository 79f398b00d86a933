package dev.herokuconnect.operator.cluster;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sits in the operator's HTTP client and records every request it sends to the Kubernetes API
 * (method, path, query, the answer's code; never a body or a header), with what RBAC sees in it:
 * the verb and the resource ({@link Call#rbac}), as the API server's request-info resolver
 * derives them from the URL.
 */
final class RequestLog implements Interceptor {
  /** One request; code -1 when no answer came (the client gave up, or the connection broke). */
  record Call(String method, String path, String query, int code) {
    /** "verb group/resource[/subresource]" as RBAC authorizes it, or null for a non-resource URL (discovery, /version). */
    String rbac() {
      String[] s = path.replaceAll("^/+|/+$", "").split("/");
      int at; // index of the first segment after the version
      String group;
      if (s.length >= 2 && s[0].equals("api")) {
        group = "";
        at = 2;
      } else if (s.length >= 3 && s[0].equals("apis")) {
        group = s[1];
        at = 3;
      } else {
        return null;
      }
      if (s.length <= at) return null; // /api/v1, /apis/group/version: discovery
      String resource;
      String name = null;
      String sub = null;
      if (s[at].equals("namespaces") && s.length >= at + 3) { // namespaced: namespaces/{ns}/{resource}[/{name}[/{sub}]]
        resource = s[at + 2];
        if (s.length > at + 3) name = s[at + 3];
        if (s.length > at + 4) sub = s[at + 4];
      } else { // cluster-scoped (namespaces/{name} included)
        resource = s[at];
        if (s.length > at + 1) name = s[at + 1];
        if (s.length > at + 2) sub = s[at + 2];
      }
      String verb = switch (method) {
        case "GET", "HEAD" -> name != null ? "get" : query != null && query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch" : "list";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name != null ? "delete" : "deletecollection";
        default -> method.toLowerCase();
      };
      return verb + " " + (group.isEmpty() ? "" : group) + "/" + resource + (sub == null ? "" : "/" + sub);
    }

    @Override
    public String toString() { return method + " " + path + (query == null ? "" : "?" + query) + " -> " + code; }
  }

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  List<Call> calls() { return List.copyOf(calls); }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request req = chain.request();
    int code = -1;
    try {
      Response resp = chain.proceed(req);
      code = resp.code();
      return resp;
    } finally {
      calls.add(new Call(req.method(), req.url().encodedPath(), req.url().encodedQuery(), code));
    }
  }
}
