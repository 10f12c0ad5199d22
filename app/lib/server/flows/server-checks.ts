// What the server checks a flow against, beyond the flow itself: the publisher's rights, the HTTP
// allow-list, and what exists on this server (prompt files IVR1030, gateways and SIP users IVR1031,
// phrase macros IVR1032). POST /validate and publish both use these, so publishing through the API
// reports exactly what the designer shows.
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { DIAGNOSTIC_CODES, type Diagnostic, type ValidateOptions } from "../../../../flow/diagnostics";
import type { PublicUser } from "../auth/session";
import { destinationNames } from "../gateways/store";
import { knownPromptChecker } from "../prompts/known";
import { knownPhraseChecker } from "../prompts/phrases";
import { getHttpAllowList } from "../settings";

export async function serverValidateOptions(prisma: PrismaClient, user: PublicUser): Promise<ValidateOptions> {
  return {
    authorIsAdmin: user.role === "admin",
    httpAllowList: await getHttpAllowList(prisma),
    knownPrompt: await knownPromptChecker(prisma),
    destinations: await destinationNames(prisma),
    knownPhrase: await knownPhraseChecker(prisma),
  };
}

/**
 * A prompt, gateway, SIP user or phrase this server does not have: the published flow would fail
 * there (silence, INVALID_GATEWAY, SUBSCRIBER_ABSENT). Warnings while editing; publishing refuses
 * them (422) unless the publisher says to go ahead anyway.
 */
const MISSING_ON_SERVER: ReadonlySet<string> = new Set([
  DIAGNOSTIC_CODES.UNKNOWN_PROMPT,
  DIAGNOSTIC_CODES.UNKNOWN_DESTINATION,
  DIAGNOSTIC_CODES.UNKNOWN_PHRASE,
]);

export const missingOnServer = (diagnostics: readonly Diagnostic[]): Diagnostic[] => diagnostics.filter((d) => MISSING_ON_SERVER.has(d.code));
