package dev.herokuconnect.operator.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  private Json() {}
}
