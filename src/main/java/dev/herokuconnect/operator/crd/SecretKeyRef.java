package dev.herokuconnect.operator.crd;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the same namespace as the object that names it. */
public class SecretKeyRef {
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  private String name;

  @Default("token")
  @Pattern("^[-._a-zA-Z0-9]+$")
  private String key = "token";

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getKey() { return key == null || key.isEmpty() ? "token" : key; }
  public void setKey(String key) { this.key = key; }
}
