/** The file of a `gguf:<path>` model name, or null for any other model (those go to HTTP endpoints). */
export function ggufPathOf(model: string): string | null {
  return model.startsWith('gguf:') && model.length > 'gguf:'.length ? model.slice('gguf:'.length) : null;
}
