package dev.herokuconnect.operator.connect;

/**
 * A URL the operator will not send a request to (not http(s), plain http to a remote host, a host
 * not on the allowlist), refused before anything leaves. It is the spec's (or an answer's) fault,
 * not a bug: the loop reports it as InvalidSpec, and any other IllegalArgumentException as an
 * unexpected error.
 */
public class RefusedUrl extends IllegalArgumentException {
  public RefusedUrl(String message) {
    super(message);
  }
}
