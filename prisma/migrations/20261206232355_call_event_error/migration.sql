-- AlterTable
ALTER TABLE "CallEvent" ADD COLUMN     "error" TEXT;
