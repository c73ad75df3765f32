import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api/types';

export interface CursorList<T> {
  items: T[];
  loading: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
  /** Replace one item in place (after a mutation) without losing the loaded pages. */
  replaceItem: (match: (item: T) => boolean, next: T) => void;
  removeItem: (match: (item: T) => boolean) => void;
}

/**
 * Cursor pagination: `fetchPage(cursor, signal)` is called with null for the first page.
 * Changing `key` (e.g. serialized filters) starts over from the first page.
 */
export function useCursorList<T>(
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
  key: string,
  onError?: (error: unknown) => void,
): CursorList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  const controllerRef = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `generation` are the reload triggers.
  useEffect(() => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    setError(null);
    fetchRef
      .current(null, controller.signal)
      .then((page) => {
        if (controller.signal.aborted) return;
        setItems(page.items);
        setCursor(page.nextCursor);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setItems([]);
        setCursor(null);
        setError(err);
        onErrorRef.current?.(err);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [key, generation]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const controller = controllerRef.current ?? new AbortController();
    setLoadingMore(true);
    fetchRef
      .current(cursor, controller.signal)
      .then((page) => {
        if (controller.signal.aborted) return;
        setItems((prev) => [...prev, ...page.items]);
        setCursor(page.nextCursor);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) onErrorRef.current?.(err);
      })
      .finally(() => setLoadingMore(false));
  }, [cursor, loadingMore]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  const replaceItem = useCallback((match: (item: T) => boolean, next: T) => {
    setItems((prev) => prev.map((item) => (match(item) ? next : item)));
  }, []);

  const removeItem = useCallback((match: (item: T) => boolean) => {
    setItems((prev) => prev.filter((item) => !match(item)));
  }, []);

  return {
    items,
    loading,
    loadingMore,
    hasMore: !!cursor,
    error,
    loadMore,
    reload,
    replaceItem,
    removeItem,
  };
}
