/** Runs tasks with the same key one after another, in this process. */
export class KeyedMutex {
  private readonly queues = new Map<string, { tail: Promise<unknown>; size: number }>();
  private readonly idleWaiters: (() => void)[] = [];

  /** Tasks of this key running or waiting. */
  size(key: string): number {
    return this.queues.get(key)?.size ?? 0;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), size: 0 };
    const result = queue.tail.then(task, task);
    queue.tail = result.catch(() => undefined);
    queue.size++;
    this.queues.set(key, queue);
    void queue.tail.then(() => {
      if (--queue.size === 0 && this.queues.get(key) === queue) this.queues.delete(key);
      if (this.queues.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    return result;
  }

  /** Settles once no task of any key runs or waits (at once when none does). */
  idle(): Promise<void> {
    return this.queues.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
