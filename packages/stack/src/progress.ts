import type Docker from 'dockerode';

/** A line of Docker's JSON progress stream (build, import). */
interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Reads a progress stream to its end (Docker stalls an unread one), passing text to
 * `onLine`, and rejects with the engine's own message when a step failed.
 */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        const failed = events.find((event) => event.error ?? event.errorDetail?.message);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
      (event: ProgressEvent) => {
        const text = event.stream ?? event.status;
        if (text) for (const line of text.split('\n')) if (line.trim()) onLine(line.trimEnd());
      },
    );
  });
}
