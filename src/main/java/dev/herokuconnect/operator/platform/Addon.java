package dev.herokuconnect.operator.platform;

/**
 * One add-on as the Platform API returns it (GET/POST/PATCH/DELETE /apps/{app}/addons...): the
 * fields of {@code definitions.add-on} in github:heroku/platform-api schema.json that the operator
 * uses. {@code plan} is plan.name (e.g. herokuconnect:demo), {@code service} addon_service.name
 * (herokuconnect), {@code app} app.name. The id of a Heroku Connect add-on is its connection id
 * (Connect API tutorial, step 4).
 */
public record Addon(String id, String name, AddonState state, String plan, String service, String app) {}
