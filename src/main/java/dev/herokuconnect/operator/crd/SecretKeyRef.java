package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the same namespace as the object that names it. */
public class SecretKeyRef {
  @Required
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Secret, in the same namespace as the object that names it. Required. DNS-1123 "
      + "subdomain.")
  private String name;

  @Default("token")
  @Pattern(Patterns.SECRET_KEY)
  @JsonPropertyDescription("Key in the Secret whose value is the Heroku API token. Default token. Letters, digits, "
      + "'-', '_' and '.'.")
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
