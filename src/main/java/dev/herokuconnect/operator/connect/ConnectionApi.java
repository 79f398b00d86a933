package dev.herokuconnect.operator.connect;

import dev.herokuconnect.operator.connect.Model.AuthorizeRequest;
import dev.herokuconnect.operator.connect.Model.Connection;
import dev.herokuconnect.operator.connect.Model.Mapping;

/**
 * The calls the controllers make on one connection's region. {@link ConnectApi} sends them over
 * HTTP, to the real API or to the fake one (every loop test talks to the fake over loopback HTTP);
 * a unit test may count calls with an implementation of its own (DecisionsTest.CountingApi).
 */
public interface ConnectionApi {
  /** The same API, paying with another priority. */
  ConnectionApi withPriority(RequestGate.Priority priority);

  String root();

  Connection getConnection(String id, boolean deep);

  Connection configureDatabase(String id, String dbKey, String schemaName);

  String authorizeUrl(String id, AuthorizeRequest request);

  void pause(String id);

  void resume(String id);

  void restart(String id);

  Mapping createMapping(String connectionId, String objectName, MappingConfig config);

  Mapping getMapping(String id);

  Mapping editMapping(String id, String objectName, MappingConfig config);

  void deleteMapping(String id);

  void reloadMapping(String id);

  void abortMapping(String id);

  /** GET /mappings/{id}/errors: write errors of the last 24 hours. */
  java.util.List<Model.SyncError> mappingErrors(String id);

  /** The first page of GET /mappings/{id}/errors: the newest write errors, in one request. */
  java.util.List<Model.SyncError> recentMappingErrors(String id);

  /** POST /connections/{id}/validations: starts a diagnose run. */
  Model.ValidationRun startValidation(String id);

  /**
   * GET the {@code result_url} of a diagnose run, for the reader of the old shape: status
   * "running" on 202, "complete" on 200 (see {@link ConnectApi#validationResult}).
   */
  Model.ValidationRun validationResult(String resultUrl);

  /*
   * Issue 18. Default methods, so that implementations written before them (in-memory ones in
   * tests) still compile; each throws until the implementation has it. ConnectApi has them all.
   */

  /** One GET of a run's result_url: 202 running, 200 done with the results. */
  default Model.ValidationReply validationReply(String resultUrl) { throw unsupported("validationReply"); }

  /** GET /mappings/{id}/validations. */
  default Model.ValidationResults mappingValidations(String mappingId) { throw unsupported("mappingValidations"); }

  /** GET /connections/{id}/schema-diff?target_version=. */
  default Model.SchemaDiff schemaDiff(String id, String targetVersion) { throw unsupported("schemaDiff"); }

  /** POST /connections/{id}/actions/change-sf-api-version; a refusal is {@link ConnectApiException.ApiVersionChangeRefused}. */
  default Model.ApiVersionChange changeSfApiVersion(String id, String targetVersion) { throw unsupported("changeSfApiVersion"); }

  /** GET /connections/{id}/notifications. */
  default Model.Notifications notifications(String id, Model.NotificationFilter filter) { throw unsupported("notifications"); }

  /** POST /connections/{id}/notifications/acknowledge (204). */
  default void acknowledgeNotifications(String id, Model.NotificationFilter filter) { throw unsupported("acknowledgeNotifications"); }

  private UnsupportedOperationException unsupported(String method) {
    return new UnsupportedOperationException(getClass().getSimpleName() + " does not implement " + method);
  }
}
