/** A CLI subcommand: a verb with its help text and a run function returning the exit code. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text for `arboretum <name> --help`. */
  readonly help: string;
  /** True when the command has subcommands that print their own help (`log append --help`). */
  readonly subcommands?: boolean;
  run(argv: readonly string[]): Promise<number>;
}
