package dev.herokuconnect.operator.crd;

/**
 * A status that can show a validation asked for by the annotation herokuconnect.dev/validate-requested-at:
 * a HerokuConnection's (POST /connections/{id}/validations, polled) and a HerokuMapping's
 * (GET /mappings/{id}/validations), in the same shape ({@link ValidationStatus}).
 */
public interface Validated {
  String getLastHandledValidateAt();

  void setLastHandledValidateAt(String value);

  ValidationStatus getValidation();

  void setValidation(ValidationStatus validation);
}
