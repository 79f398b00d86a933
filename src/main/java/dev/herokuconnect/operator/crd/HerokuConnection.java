package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Heroku Connect add-on (one connection) that the operator sets up and watches. */
@JsonClassDescription("A Heroku Connect add-on (one connection: a Heroku app's Postgres database synced with one Salesforce org) that the operator finds, sets up (database, schema, Salesforce authorization), pauses or resumes, and watches. Its HerokuMappings say which Salesforce objects are synced. Deleting it never deletes the add-on.")
@Group(Crds.GROUP)
@Version(Crds.VERSION)
@ShortNames("hconn")
@Categories(Crds.CATEGORY)
@AdditionalPrinterColumn(name = "App", jsonPath = ".spec.appName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = Crds.READY_JSON_PATH, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Crds.READY_REASON_JSON_PATH, type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "API", jsonPath = ".status.apiVersion", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Change", jsonPath = ".status.apiVersionChange.phase", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class HerokuConnection extends CustomResource<HerokuConnectionSpec, HerokuConnectionStatus>
    implements Namespaced {}
