// The SDK's paginators, bounded: a listing that never ends (a bug, a service that keeps
// answering with a token) stops after `max` pages instead of looping.
export async function* firstPages<T>(pages: AsyncIterable<T>, max: number): AsyncGenerator<T> {
  let n = 0;
  for await (const page of pages) {
    yield page;
    if (++n >= max) return;
  }
}
