// Global test setup. Services shared by the whole run (DynamoDB Local) are started here
// and stopped in the returned teardown.
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
