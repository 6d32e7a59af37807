/**
 * Registers every jitsi-elements tag (idempotent; see defineElement). The elements arrive with
 * issue 6; until then this module only marks the registration entry point of the package.
 */
export {};
