/** Escaped utterances (from jsonOfRow) as the JSON text of a chat message list: `[{"role":…,"content":…},…]`. */
export function messagesJson(
  trajectory: readonly { readonly from: string; readonly value: string }[],
): string {
  let out = '[';
  for (let i = 0; i < trajectory.length; i++) {
    if (i) out += ',';
    out += `{"role":${trajectory[i].from},"content":${trajectory[i].value}}`;
  }
  return `${out}]`;
}
