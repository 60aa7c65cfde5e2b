// A node:test reporter that writes one JSON object per finished test, for NodeSdkTest to turn into
// JUnit results: {"name","file","nesting","status":"pass|fail|skip|todo","duration_ms","error"}.
export default async function* jsonl(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, file, details = {}, skip, todo } = event.data;
    let status = event.type === 'test:pass' ? 'pass' : 'fail';
    if (skip) status = 'skip';
    else if (todo) status = 'todo';
    yield JSON.stringify({
      name,
      file: file ?? null,
      nesting,
      status,
      duration_ms: details.duration_ms ?? null,
      error: status === 'fail' ? describe(details.error) : null,
    }) + '\n';
  }
}

// node:test wraps a failed assertion in ERR_TEST_FAILURE; the assertion itself is its cause.
function describe(error) {
  if (!error) return 'failed (no error reported)';
  const cause = error.code === 'ERR_TEST_FAILURE' && error.cause ? error.cause : error;
  const text = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
  return text.length > 4000 ? text.slice(0, 4000) + '...' : text;
}
