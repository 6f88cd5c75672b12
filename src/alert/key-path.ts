/** `alerting.route.routes[1].matchers[0]`: dotted keys, list positions in brackets, as config errors name keys. */
export function keyText(path: ReadonlyArray<string | number | symbol>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}
