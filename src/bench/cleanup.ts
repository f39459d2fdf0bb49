/**
 * What the bench must undo (child processes, databases, Redis keys), in reverse order of creation, once:
 * on success, on error and on Ctrl-C alike. A failing step does not stop the others.
 */
export class Cleanup {
  readonly #steps: { label: string; run: () => Promise<void> }[] = [];
  #running: Promise<string[]> | undefined;

  defer(label: string, run: () => Promise<void>): void {
    this.#steps.push({ label, run });
  }

  /** Runs every deferred step (newest first) and returns the failures as lines. */
  runAll(): Promise<string[]> {
    this.#running ??= (async () => {
      const failures: string[] = [];
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          failures.push(`${step.label}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return failures;
    })();
    return this.#running;
  }
}
