-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "hangupBy" TEXT;
