import { useCallback, useEffect, useRef, useState } from 'react';
import { isApiError } from '../../api/api';
import { type ImportJob, importsApi, RUNNING_STATUSES } from '../../api/imports';

const POLL_MS = 700;

export interface ImportJobState {
  job: ImportJob | null;
  loading: boolean;
  error: unknown;
  /** Replace the job with a fresh answer of a mutation (restarts polling when it runs). */
  setJob: (job: ImportJob) => void;
  reload: () => void;
  /** Use `job` (a new import just created) when `id` becomes its id, instead of loading it. */
  adopt: (job: ImportJob) => void;
}

/**
 * Loads import `id` and, while it runs in the background (validating, committing), polls it so
 * the progress bar moves. Polling stops on its own when the job leaves the running states.
 */
export function useImportJob(id: string | null): ImportJobState {
  const [job, setJobState] = useState<ImportJob | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const idRef = useRef(id);
  idRef.current = id;
  const adoptedRef = useRef<ImportJob | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger.
  useEffect(() => {
    if (!id) {
      setJobState(null);
      setError(null);
      return;
    }
    if (adoptedRef.current?.id === id) {
      // Just answered by the upload (with its preview): no need to ask again.
      setJobState(adoptedRef.current);
      adoptedRef.current = null;
      setError(null);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    importsApi
      .get(id, controller.signal)
      .then((fresh) => {
        if (!controller.signal.aborted) setJobState(fresh);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setJobState(null);
        setError(err);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [id, generation]);

  const running = !!job && job.id === id && RUNNING_STATUSES.includes(job.status);
  const jobId = job?.id;
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` (one per answer) schedules the next poll.
  useEffect(() => {
    if (!running || !jobId) return;
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      importsApi
        .get(jobId, controller.signal)
        .then((fresh) => {
          if (controller.signal.aborted) return;
          if (idRef.current === fresh.id) setJobState(fresh);
          setTick((n) => n + 1);
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          // Network hiccups and server errors: keep polling; a 4xx (gone, forbidden) stops it.
          if (isApiError(err) && err.status >= 400 && err.status < 500) setError(err);
          else setTick((n) => n + 1);
        });
    }, POLL_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [running, jobId, tick]);

  const setJob = useCallback((next: ImportJob) => {
    if (idRef.current === next.id) setJobState(next);
  }, []);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const adopt = useCallback((next: ImportJob) => {
    adoptedRef.current = next;
  }, []);

  return { job: job && job.id === id ? job : null, loading, error, setJob, adopt, reload };
}
