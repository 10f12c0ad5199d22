/** A gateway, user or allow pattern that cannot be used as given: the message says why. */
export class DestinationError extends Error {}
