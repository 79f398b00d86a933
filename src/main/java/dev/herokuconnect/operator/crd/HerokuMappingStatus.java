package dev.herokuconnect.operator.crd;

import java.util.ArrayList;
import java.util.List;

public class HerokuMappingStatus extends ConditionedStatus {
  private String mappingId;
  private String connectionId;
  /** The API's mapping state, verbatim. */
  private String state;
  private String stateDescription;
  private Long revision;
  private Boolean activelyWriting;
  private Counts counts;
  private Times times;
  /** observe mode: one line per difference between spec and the remote configuration. */
  private List<String> drift = new ArrayList<>();
  private String lastHandledReloadAt;
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
  private String objectName;
  /** spec.connectionRef.name as first applied (immutable, like objectName). */
  private String connectionName;
  /** The connection's state when the API refused this generation (InvalidSpec ends when it changes). */
  private String refusedInConnectionState;

  public String getObjectName() { return objectName; }
  public void setObjectName(String v) { this.objectName = v; }
  public String getConnectionName() { return connectionName; }
  public void setConnectionName(String v) { this.connectionName = v; }
  public String getRefusedInConnectionState() { return refusedInConnectionState; }
  public void setRefusedInConnectionState(String v) { this.refusedInConnectionState = v; }

  public static class Counts {
    private Long db;
    private Long sf;
    private Long errors;
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
    private String dbPoll;
    private String dbWrite;
    private String sfPoll;
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
