/** A typed set of event listeners: `subscribe` returns the unsubscribe; `emit` calls each in order. */
export class Listeners<Event> {
	private readonly listeners = new Set<(event: Event) => void>();

	subscribe(listener: (event: Event) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit(event: Event): void {
		for (const listener of this.listeners) {
			listener(event);
		}
	}
}
