/**
 * A queue that runs the tasks given to it one at a time, in the order given.
 * A task that fails rejects its own promise and does not stop the next.
 */
export function serially(): <R>(task: () => R | Promise<R>) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const next = tail.then(task);
    tail = next.catch(() => undefined);
    return next;
  };
}
