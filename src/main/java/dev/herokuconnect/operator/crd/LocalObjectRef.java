package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** A reference by name to an object in the same namespace (no namespace field on purpose). */
public class LocalObjectRef {
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the object, in the same namespace (no namespace field on purpose). Required. "
      + "DNS-1123 subdomain.")
  private String name;

  public LocalObjectRef() {}
  public LocalObjectRef(String name) { this.name = name; }
  public String getName() { return name; }
  public void setName(String name) { this.name = name; }

  @Override
  public boolean equals(Object o) {
    return o instanceof LocalObjectRef other && Objects.equals(name, other.name);
  }

  @Override
  public int hashCode() { return Objects.hashCode(name); }
}
