package dev.herokuconnect.operator.crd;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Salesforce object mapped into Postgres on a {@link HerokuConnection}. */
@JsonClassDescription("One Salesforce object synced into a Postgres table by the add-on of a HerokuConnection in the same namespace (one Heroku Connect mapping: /connections/{id}/mappings). The operator adopts an existing mapping of the same object, creates it otherwise, corrects drift with PUT, and deletes it with the object unless deletionPolicy is Orphan.")
@Group(Crds.GROUP)
@Version(Crds.VERSION)
@ShortNames("hmap")
@Categories(Crds.CATEGORY)
@AdditionalPrinterColumn(name = "Connection", jsonPath = ".spec.connectionRef.name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Object", jsonPath = ".spec.objectName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Access", jsonPath = ".spec.access", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = Crds.READY_JSON_PATH, type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = Crds.READY_REASON_JSON_PATH, type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class HerokuMapping extends CustomResource<HerokuMappingSpec, HerokuMappingStatus>
    implements Namespaced {}
