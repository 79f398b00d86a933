package dev.herokuconnect.operator.reconciler.loop;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes Events about an object: what the operator did, or what a person must do. */
public interface Events {
  void normal(HasMetadata object, String reason, String message);

  void warning(HasMetadata object, String reason, String message);

  /** An Event a decision asks for, as data: the decision stays pure, and one place writes it. */
  record Note(boolean warning, String reason, String message) {
    public static Note normal(String reason, String message) {
      return new Note(false, reason, message);
    }

    public static Note warning(String reason, String message) {
      return new Note(true, reason, message);
    }
  }

  default void emit(HasMetadata object, Note note) {
    if (note == null) return;
    if (note.warning()) warning(object, note.reason(), note.message());
    else normal(object, note.reason(), note.message());
  }

  /** The object is gone (its cleanup is done): nothing is kept about its events. */
  default void forget(HasMetadata object) {}

  /** Keeps only what is remembered about these objects (uids): one deleted without a cleanup leaves nothing. */
  default void retain(java.util.Set<String> live) {}
}
