// A small typed event emitter; a throwing listener is reported, never propagated into the SIP stack.
export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private listeners: { [K in keyof E]?: Array<(...args: E[K]) => void> } = {};

  constructor(private onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): this {
    const wrapper = (...args: E[K]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener: (...args: E[K]) => void): this {
    const list = this.listeners[event];
    if (list) this.listeners[event] = list.filter((l) => l !== listener);
    return this;
  }

  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners[event]?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.listeners[event] ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }
}
