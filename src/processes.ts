/**
 * Whether a process of this machine is running: how a lease, a lock or a temp file left by a
 * process is known to be abandoned (a crash, a kill -9) rather than still in use.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
