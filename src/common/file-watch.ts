import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileWatch {
  close(): void;
}

/**
 * Call `onChange` (debounced) whenever `file` changes. The directory is
 * watched, not the file, so an editor's write-to-temp-and-rename is seen too.
 */
export function watchFile(file: string, debounceMs: number, onChange: () => void, onError: (err: Error) => void): FileWatch {
  const base = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, filename) => {
    if (filename !== null && filename !== base) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
  });
  watcher.on('error', onError);
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
