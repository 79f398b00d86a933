package dev.herokuconnect.operator.fake;

import com.fasterxml.jackson.databind.JsonNode;

/** An error answer of the fake API: status and JSON body. */
final class FakeError extends RuntimeException {
  final int status;
  final transient JsonNode body;

  FakeError(int status, JsonNode body) {
    super(status + " " + body, null, false, false);
    this.status = status;
    this.body = body;
  }

  static FakeError message(int status, String message) {
    return new FakeError(status, Json.MAPPER.createObjectNode().put("message", message));
  }
}
