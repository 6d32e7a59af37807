let channel: MessageChannel | undefined;
const tasks: (() => void)[] = [];

/**
 * Runs `task` in a task of its own, queued behind what the page has already received (a posted message: no
 * timer clamping, no throttling of a background tab's timers).
 */
export function nextTask(task: () => void): void {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = (): void => {
      for (const run of tasks.splice(0)) run();
    };
  }
  tasks.push(task);
  if (tasks.length === 1) channel.port2.postMessage(null);
}
