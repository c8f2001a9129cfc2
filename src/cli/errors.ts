/** A problem with what the user asked for (a missing file, say): printed as one line, exit status 1. */
export class CliError extends Error {}
