-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "runtimeId" TEXT;

-- CreateTable
CREATE TABLE "RuntimeNode" (
    "id" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "activeCalls" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL DEFAULT 'up',
    "drainRequested" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeat" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuntimeNode_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Call_runtimeId_idx" ON "Call"("runtimeId");
