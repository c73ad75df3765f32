import { useSyncExternalStore } from 'react';

/** Whether a CSS media query matches, kept current as it changes (window size, system settings). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (callback) => {
      const media = window.matchMedia(query);
      media.addEventListener('change', callback);
      return () => media.removeEventListener('change', callback);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/**
 * The system's "reduce motion" accessibility setting: dialogs, drawers and dropdowns then open
 * without their animations (antd's `motion` token).
 */
export function useReducedMotion(): boolean {
  return useMediaQuery('(prefers-reduced-motion: reduce)');
}
