package dev.herokuconnect.operator.reconciler.loop;

import dev.herokuconnect.operator.crd.ConditionedStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass of the loop over one object, reconcile or cleanup (Flink's FlinkResourceContext): the
 * object, its status, what the pass knows before it starts, and the Events it asks for. The Events
 * are collected as data and written by the loop when the pass ends, in one place; a sync and the
 * helpers it calls take this instead of calling back into the loop.
 */
public final class Reconcile<R extends CustomResource<?, S>, S extends ConditionedStatus> implements Events {
  private final R resource;
  private final ManagedLoop.Pass pass;
  private final List<Note> notes = new ArrayList<>();
  private boolean wrote;

  public Reconcile(R resource, ManagedLoop.Pass pass) {
    this.resource = resource;
    this.pass = pass;
  }

  public R resource() { return resource; }

  public S status() { return resource.getStatus(); }

  public ManagedLoop.Pass pass() { return pass; }

  public Management management() { return pass.management(); }

  public Instant now() { return pass.now(); }

  /** An Event about this object, written when the pass ends. */
  public void note(Note note) {
    if (note != null) notes.add(note);
  }

  @Override
  public void normal(HasMetadata object, String reason, String message) {
    note(Note.normal(reason, message));
  }

  @Override
  public void warning(HasMetadata object, String reason, String message) {
    note(Note.warning(reason, message));
  }

  public List<Note> notes() { return List.copyOf(notes); }

  /** A step that changes the remote state was sent in this pass (the loop's backoff starts over). */
  void sentAWrite() { wrote = true; }

  boolean wrote() { return wrote; }
}
