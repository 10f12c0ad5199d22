-- CreateIndex
CREATE INDEX "Call_flowId_version_startedAt_idx" ON "Call"("flowId", "version", "startedAt");

-- CreateIndex
CREATE INDEX "CallEvent_callId_method_idx" ON "CallEvent"("callId", "method");
