-- No code wrote Prompt rows before the prompt library; the new NOT NULL columns need an empty table.
DELETE FROM "Prompt";

-- AlterTable
ALTER TABLE "Prompt" ADD COLUMN     "checksum" TEXT NOT NULL,
ADD COLUMN     "createdBy" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "normalized" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "rates" INTEGER[],
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'upload',
ADD COLUMN     "trimmed" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "ttsEngine" TEXT,
ADD COLUMN     "ttsText" TEXT,
ADD COLUMN     "ttsVoice" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL,
ALTER COLUMN "durationMs" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Prompt_name_key" ON "Prompt"("name");
