-- Argo CD health of heroku-connect-operator's kinds (herokuconnect.dev HerokuConnection and
-- HerokuMapping: the same script for both), from the kstatus conditions the operator writes.
--   Healthy      Ready=True and status.observedGeneration is metadata.generation
--   Progressing  no status yet, the latest generation not yet observed, or Reconciling=True
--   Degraded     Stalled=True: only a person can fix it (the condition's reason and message)
--   Suspended    Ready=False with reason Paused (spec.paused: true)
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function describe(c)
  if c.message == nil or c.message == "" then
    return c.reason or ""
  end
  return (c.reason or "") .. ": " .. c.message
end

local ready = condition("Ready")
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local observed = obj.status.observedGeneration
if observed == nil then
  observed = ready.observedGeneration
end
if obj.metadata.generation ~= nil and (observed == nil or observed < obj.metadata.generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end

local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end

if ready.reason == "Paused" then
  hs.status = "Suspended"
  hs.message = describe(ready)
  return hs
end

local reconciling = condition("Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = describe(reconciling)
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready)
return hs
