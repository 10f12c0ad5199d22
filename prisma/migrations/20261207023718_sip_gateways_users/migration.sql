-- CreateTable
CREATE TABLE "SipGateway" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5060,
    "username" TEXT,
    "passwordCipher" TEXT,
    "register" BOOLEAN NOT NULL DEFAULT false,
    "callerId" TEXT,
    "allow" TEXT[],
    "maxCalls" INTEGER NOT NULL DEFAULT 0,
    "callsPerMinute" INTEGER NOT NULL DEFAULT 0,
    "ping" INTEGER NOT NULL DEFAULT 0,
    "pingMin" INTEGER NOT NULL DEFAULT 1,
    "pingMax" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SipGateway_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SipUser" (
    "id" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordCipher" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SipUser_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SipGateway_name_key" ON "SipGateway"("name");

-- CreateIndex
CREATE UNIQUE INDEX "SipUser_number_key" ON "SipUser"("number");
