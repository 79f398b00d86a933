package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonClassDescription("What the operator last read of the remote mapping from the Connect API, and the Ready, Reconciling and Stalled conditions. Written by the operator only.")
public class HerokuMappingStatus extends ConditionedStatus implements Validated {
  @JsonPropertyDescription("The remote mapping's UUID (-> id): found by object name when adopted, or returned on "
      + "create.")
  private String mappingId;
  @JsonPropertyDescription("The add-on (connection) UUID the mapping lives on, from the HerokuConnection's status.")
  private String connectionId;
  /** The API's mapping state, verbatim. */
  @JsonPropertyDescription("The API's mapping state, verbatim (-> state), e.g. DATA_SYNCED, POLLING_SF_CHANGES, "
      + "INITIAL, ABORTED, BAD_CONFIG.")
  private String state;
  @JsonPropertyDescription("-> state_description: the API's words for the state.")
  private String stateDescription;
  @JsonPropertyDescription("-> config.revision: the remote configuration's revision, sent back unchanged with every "
      + "PUT (a 409 means it was stale).")
  private Long revision;
  @JsonPropertyDescription("-> actively_writing: true while Connect is writing to Salesforce.")
  private Boolean activelyWriting;
  @JsonPropertyDescription("-> counts: record counts as the API reports them.")
  private Counts counts;
  @JsonPropertyDescription("-> times: when Connect last polled and wrote each side, verbatim.")
  private Times times;
  /** observe mode: one line per difference between spec and the remote configuration. */
  @JsonPropertyDescription("Observe-only mode (annotation herokuconnect.dev/reconcile-policy: observe): one line per "
      + "difference between the spec and the remote configuration; empty when they agree, and in "
      + "manage mode.")
  private List<String> drift = new ArrayList<>();
  @JsonPropertyDescription("The value of the herokuconnect.dev/reload-requested-at annotation last acted on (POST "
      + "/mappings/{id}/actions/reload), so a reload never repeats.")
  private String lastHandledReloadAt;
  @JsonPropertyDescription("The value of the herokuconnect.dev/abort-requested-at annotation last acted on (POST "
      + "/mappings/{id}/actions/abort), so an abort never repeats.")
  private String lastHandledAbortAt;

  public String getMappingId() { return mappingId; }
  public void setMappingId(String mappingId) { this.mappingId = mappingId; }
  public String getConnectionId() { return connectionId; }
  public void setConnectionId(String connectionId) { this.connectionId = connectionId; }
  public String getState() { return state; }
  public void setState(String state) { this.state = state; }
  public String getStateDescription() { return stateDescription; }
  public void setStateDescription(String v) { this.stateDescription = v; }
  public Long getRevision() { return revision; }
  public void setRevision(Long revision) { this.revision = revision; }
  public Boolean getActivelyWriting() { return activelyWriting; }
  public void setActivelyWriting(Boolean activelyWriting) { this.activelyWriting = activelyWriting; }
  public Counts getCounts() { return counts; }
  public void setCounts(Counts counts) { this.counts = counts; }
  public Times getTimes() { return times; }
  public void setTimes(Times times) { this.times = times; }
  public List<String> getDrift() { return drift; }
  public void setDrift(List<String> drift) { this.drift = drift == null ? new ArrayList<>() : drift; }
  public String getLastHandledReloadAt() { return lastHandledReloadAt; }
  public void setLastHandledReloadAt(String v) { this.lastHandledReloadAt = v; }
  public String getLastHandledAbortAt() { return lastHandledAbortAt; }
  public void setLastHandledAbortAt(String v) { this.lastHandledAbortAt = v; }

  /** spec.objectName as first applied: the operator refuses a change where the API server does not. */
  @JsonPropertyDescription("spec.objectName as first applied. Where the API server does not enforce the CRD's "
      + "immutability rules, a changed spec.objectName is refused by the operator (Stalled, InvalidSpec). Set by the operator.")
  private String objectName;
  /** spec.connectionRef.name as first applied (immutable, like objectName). */
  @JsonPropertyDescription("spec.connectionRef.name as first applied; immutable like objectName. Set by the operator.")
  private String connectionName;
  /** The connection's state when the API refused this generation (InvalidSpec ends when it changes). */
  @JsonPropertyDescription("The connection's state when the API refused this generation of the spec (400). The "
      + "operator tries again when the spec or this state changes. Set by the operator.")
  private String refusedInConnectionState;

  public String getObjectName() { return objectName; }
  public void setObjectName(String v) { this.objectName = v; }
  public String getConnectionName() { return connectionName; }
  public void setConnectionName(String v) { this.connectionName = v; }
  public String getRefusedInConnectionState() { return refusedInConnectionState; }
  public void setRefusedInConnectionState(String v) { this.refusedInConnectionState = v; }

  @JsonPropertyDescription("The latest write errors of the mapping (at most 5, newest first), read from GET "
      + "/mappings/{id}/errors when counts.errors goes up; nothing is read while the count is unchanged.")
  private List<WriteError> recentErrors = new ArrayList<>();
  @JsonPropertyDescription("counts.errors when recentErrors was last read.")
  private Long errorsSeen;

  public List<WriteError> getRecentErrors() { return recentErrors; }
  public void setRecentErrors(List<WriteError> v) { this.recentErrors = v == null ? new ArrayList<>() : v; }
  public Long getErrorsSeen() { return errorsSeen; }
  public void setErrorsSeen(Long v) { this.errorsSeen = v; }

  @JsonPropertyDescription("The last herokuconnect.dev/validate-requested-at value handled (GET /mappings/{id}/validations ran "
      + "for it, or observe-only skipped it).")
  private String lastHandledValidateAt;
  @JsonPropertyDescription("The mapping's last validation (GET /mappings/{id}/validations) and its findings.")
  private ValidationStatus validation;

  @Override public String getLastHandledValidateAt() { return lastHandledValidateAt; }
  @Override public void setLastHandledValidateAt(String v) { this.lastHandledValidateAt = v; }
  @Override public ValidationStatus getValidation() { return validation; }
  @Override public void setValidation(ValidationStatus v) { this.validation = v; }

  public static class Counts {
    @JsonPropertyDescription("-> counts.db: rows in the Postgres table.")
    private Long db;
    @JsonPropertyDescription("-> counts.sf: records in Salesforce.")
    private Long sf;
    @JsonPropertyDescription("-> counts.errors: records that failed to sync (GET /mappings/{id}/errors lists them).")
    private Long errors;
    @JsonPropertyDescription("-> counts.pending: Postgres changes waiting to be written to Salesforce.")
    private Long pending;

    public Counts() {}
    public Counts(Long db, Long sf, Long errors, Long pending) {
      this.db = db;
      this.sf = sf;
      this.errors = errors;
      this.pending = pending;
    }
    public Long getDb() { return db; }
    public void setDb(Long db) { this.db = db; }
    public Long getSf() { return sf; }
    public void setSf(Long sf) { this.sf = sf; }
    public Long getErrors() { return errors; }
    public void setErrors(Long errors) { this.errors = errors; }
    public Long getPending() { return pending; }
    public void setPending(Long pending) { this.pending = pending; }
  }

  public static class Times {
    @JsonPropertyDescription("-> times.db_poll: when Postgres was last polled for changes.")
    private String dbPoll;
    @JsonPropertyDescription("-> times.db_write: when Postgres was last written to.")
    private String dbWrite;
    @JsonPropertyDescription("-> times.sf_poll: when Salesforce was last polled for changes.")
    private String sfPoll;
    @JsonPropertyDescription("-> times.sf_write: when Salesforce was last written to.")
    private String sfWrite;

    public Times() {}
    public Times(String dbPoll, String dbWrite, String sfPoll, String sfWrite) {
      this.dbPoll = dbPoll;
      this.dbWrite = dbWrite;
      this.sfPoll = sfPoll;
      this.sfWrite = sfWrite;
    }
    public String getDbPoll() { return dbPoll; }
    public void setDbPoll(String dbPoll) { this.dbPoll = dbPoll; }
    public String getDbWrite() { return dbWrite; }
    public void setDbWrite(String dbWrite) { this.dbWrite = dbWrite; }
    public String getSfPoll() { return sfPoll; }
    public void setSfPoll(String sfPoll) { this.sfPoll = sfPoll; }
    public String getSfWrite() { return sfWrite; }
    public void setSfWrite(String sfWrite) { this.sfWrite = sfWrite; }
  }
}
