package dev.herokuconnect.operator.reconciler.connection;

import dev.herokuconnect.operator.crd.HerokuConnection;
import dev.herokuconnect.operator.ratelimit.ApiBudget;
import dev.herokuconnect.operator.ratelimit.SpendJournal;
import dev.herokuconnect.operator.reconciler.cluster.Directory;
import dev.herokuconnect.operator.reconciler.loop.StatusChannel;
import java.util.List;

/**
 * Keeps the API spend record in status.rateLimit of every HerokuConnection that uses the
 * connection id (a merge patch of the record's fields only, so it never conflicts with the
 * controller's own status writes). Keys with no connection object yet (discovery, paid by the
 * app) are not recorded. With connections to record on, a failed write is thrown: then the
 * budget does not spend.
 */
public final class StatusSpendJournal implements SpendJournal {
  private final StatusChannel status;
  private final Directory directory;

  public StatusSpendJournal(StatusChannel status, Directory directory) {
    this.status = status;
    this.directory = directory;
  }

  @Override
  public void record(String key, ApiBudget.Usage u) {
    List<HerokuConnection> users = directory.connectionsUsing(key);
    for (HerokuConnection c : users) {
      status.patch(c, s -> s.putObject("rateLimit").put("used", u.used()).put("usedAsOf", u.usedAsOf().toString())
          .put("reserved", u.reserved()));
    }
  }
}
