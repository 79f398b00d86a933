package dev.herokuconnect.operator.reconciler.mapping;

import dev.herokuconnect.operator.connect.ConnectApiException;
import dev.herokuconnect.operator.connect.ConnectionApi;
import dev.herokuconnect.operator.connect.Model.ValidationResults;
import dev.herokuconnect.operator.crd.HerokuMapping;
import dev.herokuconnect.operator.crd.HerokuMappingStatus;
import dev.herokuconnect.operator.crd.ValidationStatus;
import dev.herokuconnect.operator.reconciler.cluster.ValidationSummaries;
import dev.herokuconnect.operator.reconciler.loop.Reconcile;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction;
import dev.herokuconnect.operator.reconciler.loop.RequestedAction.Request;
import java.time.Clock;

/**
 * The validate-requested-at action on a HerokuMapping: one GET /mappings/{id}/validations per
 * requested value (the CLI plugin's connect:mapping:diagnose; it answers at once, no polling), into
 * status.validation in the connection's shape, with one Event. A request the budget or a 429 stopped
 * stays pending and is sent later; one that failed otherwise ends Failed with the reason (a new
 * value asks again). Observe-only requests never reach here: the loop marks them skipped.
 */
final class MappingValidations {
  private final Clock clock;

  MappingValidations(Clock clock) {
    this.clock = clock;
  }

  void run(Reconcile<HerokuMapping, HerokuMappingStatus> ctx, ConnectionApi api, String mappingId, Request request) {
    HerokuMappingStatus status = ctx.status();
    String asked = request.value();
    ValidationStatus v = new ValidationStatus();
    v.setRequestedAt(asked);
    v.setStartedAt(clock.instant().toString());
    ValidationResults results;
    try {
      results = api.mappingValidations(mappingId);
    } catch (ConnectApiException.RateLimited | ConnectApiException.Throttled notSent) {
      throw notSent; // nothing left: the request stays pending
    } catch (ConnectApiException e) {
      String reason = "GET /mappings/" + mappingId + "/validations failed: " + e.getMessage() + "; ask for a new validation";
      v.setState(ValidationStatus.FAILED);
      v.setReason(ValidationSummaries.clip(reason));
      v.setCompletedAt(clock.instant().toString());
      status.setValidation(v);
      RequestedAction.VALIDATE.markHandled(status, asked);
      ctx.note(ValidationSummaries.failed("validation of " + ctx.resource().getSpec().getObjectName(), asked, reason));
      return;
    }
    ValidationSummaries.summarize(v, results);
    v.setState(ValidationStatus.COMPLETE);
    v.setCompletedAt(clock.instant().toString());
    status.setValidation(v);
    RequestedAction.VALIDATE.markHandled(status, asked);
    ctx.note(ValidationSummaries.finished("validation of " + ctx.resource().getSpec().getObjectName(), asked, v));
  }
}
